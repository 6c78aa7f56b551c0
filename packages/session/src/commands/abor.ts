import type { CommandSpec } from '../command-spec.js';
import { dataConsumed } from '../session-state.js';
import { done, fire, reply } from '../step.js';

/**
 * ABOR: during a transfer, asks the driver to abort it; the transfer then answers 426 (or 226 if
 * it finished first) and the engine adds 226 for the ABOR. Without a transfer: 225, dropping a
 * prepared data channel if there is one.
 *
 * @see RFC 959 §4.1.3 (ABOR), §5.4
 */
export const aborCommand: CommandSpec = {
  verb: 'ABOR',
  auth: true,
  arg: 'none',
  syntax: 'ABOR -- abort the running transfer',
  run(ctx) {
    const { state } = ctx;
    if (state.transfer !== undefined) {
      if (state.transfer.abortRequested) return done;
      state.transfer.abortRequested = true;
      return fire({ kind: 'abort-transfer' });
    }
    if (state.data.mode !== 'none') {
      dataConsumed(state);
      return fire({ kind: 'close-data' }, reply(225, 'ABOR command successful; data channel closed.'));
    }
    return reply(225, 'No transfer to abort.');
  },
};
