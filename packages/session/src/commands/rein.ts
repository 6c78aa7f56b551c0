import type { CommandSpec } from '../command-spec.js';
import { reinitialize } from '../session-state.js';
import { fire, reply } from '../step.js';

/**
 * REIN: back to just-connected (login, cwd, TYPE, data channel, OPTS), keeping the TLS layer.
 * A running transfer is not affected because REIN waits in the queue until it ends.
 *
 * @see RFC 959 §4.1.1, RFC 4217 §13 (deviation: TLS is kept; see README)
 */
export const reinCommand: CommandSpec = {
  verb: 'REIN',
  auth: false,
  arg: 'none',
  syntax: 'REIN -- reinitialize the session',
  run(ctx) {
    // close-data always: the driver may hold a listener the session no longer counts as prepared.
    reinitialize(ctx.state);
    return fire({ kind: 'close-data' }, reply(220, 'Service ready for new user.'));
  },
};
