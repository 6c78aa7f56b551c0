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
      // Every ABOR gets its 226 after the transfer's reply; the driver needs to hear it once.
      state.transfer.aborts++;
      return state.transfer.aborts === 1 ? fire({ kind: 'abort-transfer' }) : done;
    }
    if (state.data.mode !== 'none') {
      dataConsumed(state);
      return fire({ kind: 'close-data' }, reply(225, 'ABOR command successful; data channel closed.'));
    }
    return reply(225, 'No transfer to abort.');
  },
};
