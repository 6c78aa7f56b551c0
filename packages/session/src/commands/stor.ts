import type { CommandContext, CommandSpec } from '../command-spec.js';
import { lastSegment, printable } from '../command-helpers.js';
import { replyForStorageCode } from '../error-replies.js';
import { reply, type Step } from '../step.js';
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
 * STOR: stores a file (replacing it, or writing from the REST offset without truncating). With
 * atomic uploads a REST offset above 0 is refused with 554 (RFC 3659 §5.4): there is no partial.
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
    const offset = ctx.oneShot.restOffset;
    // An atomic upload that failed left no partial file: REST n + STOR would splice the new
    // bytes onto the old file (issue 15.4), so it is refused before any data connection opens.
    if (offset > 0 && ctx.config.uploadMode === 'atomic') {
      const refused = replyForStorageCode('ERANGE');
      return reply(refused.code, refused.text);
    }
    return upload(ctx, ctx.resolve(arg), { append: false, offset });
  },
};
