import type { CommandSpec } from '../command-spec.js';
import { unsafeNameRefusal } from '../command-helpers.js';
import { dataChannelRefusal } from '../transfer-flow.js';
import { upload } from './stor.js';

/**
 * APPE: appends to a file (created when missing); a name with control characters or bidi
 * overrides is 553.
 *
 * @see RFC 959 §4.1.3
 */
export const appeCommand: CommandSpec = {
  verb: 'APPE',
  auth: true,
  arg: 'required',
  writes: true,
  syntax: 'APPE <SP> path -- append to a file',
  run(ctx, arg) {
    const refusal = dataChannelRefusal(ctx);
    if (refusal !== undefined) return refusal;
    const path = ctx.resolve(arg);
    const unsafe = unsafeNameRefusal(path);
    if (unsafe !== undefined) return unsafe;
    return upload(ctx, path, { append: true, offset: ctx.oneShot.restOffset });
  },
};
