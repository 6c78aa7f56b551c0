import type { CommandSpec } from '../command-spec.js';
import { dataChannelRefusal } from '../transfer-flow.js';
import { upload } from './stor.js';

/**
 * APPE: appends to a file (created when missing).
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
    return upload(ctx, ctx.resolve(arg), { append: true, offset: ctx.oneShot.restOffset });
  },
};
