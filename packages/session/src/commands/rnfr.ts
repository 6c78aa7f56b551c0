import type { CommandSpec } from '../command-spec.js';
import { withStat } from '../command-helpers.js';
import { setRenameFrom } from '../session-state.js';
import { reply } from '../step.js';

/**
 * RNFR: remembers an existing source for the very next command, which must be RNTO.
 *
 * @see RFC 959 §4.1.3
 */
export const rnfrCommand: CommandSpec = {
  verb: 'RNFR',
  auth: true,
  arg: 'required',
  writes: true,
  syntax: 'RNFR <SP> path -- name the file to rename',
  run(ctx, arg) {
    const path = ctx.resolve(arg);
    return withStat(path, () => {
      setRenameFrom(ctx.state, path);
      return reply(350, 'Ready for RNTO.');
    });
  },
};
