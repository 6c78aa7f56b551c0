import type { CommandContext, CommandSpec } from '../command-spec.js';
import { lastSegment, printable } from '../command-helpers.js';
import type { Step } from '../step.js';
import { dataChannelRefusal, modeName, runTransfer } from '../transfer-flow.js';

/**
 * The upload flow STOR, APPE and STOU share. A REST offset writes from there without truncating
 * (the storage's `start`); `uploadMode` is passed through.
 */
export function upload(ctx: CommandContext, path: string, how: { append: boolean; offset: number; preliminary?: string }): Step {
  return runTransfer(
    ctx,
    {
      type: 'stor',
      path,
      offset: how.offset,
      append: how.append,
      ascii: ctx.state.type === 'A',
      uploadMode: ctx.config.uploadMode,
    },
    how.preliminary ?? `Opening ${modeName(ctx)} mode data connection for ${printable(lastSegment(path))}.`,
  );
}

/**
 * STOR: stores a file (replacing it, or writing from the REST offset without truncating).
 *
 * @see RFC 959 §4.1.3, RFC 3659 §5
 */
export const storCommand: CommandSpec = {
  verb: 'STOR',
  auth: true,
  arg: 'required',
  writes: true,
  syntax: 'STOR <SP> path -- upload a file',
  run(ctx, arg) {
    const refusal = dataChannelRefusal(ctx);
    if (refusal !== undefined) return refusal;
    return upload(ctx, ctx.resolve(arg), { append: false, offset: ctx.oneShot.restOffset });
  },
};
