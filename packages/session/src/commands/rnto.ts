import type { CommandSpec } from '../command-spec.js';
import { storageCall, unsafeNameRefusal } from '../command-helpers.js';
import { reply } from '../step.js';

/**
 * RNTO: renames the RNFR source; only right after a successful RNFR (503 otherwise). A new name
 * with control characters or bidi overrides is 553.
 *
 * @see RFC 959 §4.1.3
 */
export const rntoCommand: CommandSpec = {
  verb: 'RNTO',
  auth: true,
  arg: 'required',
  writes: true,
  syntax: 'RNTO <SP> path -- rename the RNFR file to this name',
  sequence: (_state, oneShot) => (oneShot.renameFrom === undefined ? 'RNFR required first.' : undefined),
  run(ctx, arg) {
    const from = ctx.oneShot.renameFrom as string;
    const to = ctx.resolve(arg);
    const unsafe = unsafeNameRefusal(to);
    if (unsafe !== undefined) return unsafe;
    return storageCall({ op: 'rename', from, to }, () => reply(250, 'Rename successful.'));
  },
};
