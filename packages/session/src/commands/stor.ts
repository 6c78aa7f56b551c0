import { dirname } from '@ftpkit/storage';
import type { CommandContext, CommandSpec } from '../command-spec.js';
import { lastSegment, printable, unsafeNameRefusal, withStat } from '../command-helpers.js';
import { failureStep, isStorageErrorCode, storageErrorStep } from '../error-replies.js';
import { request, type Step } from '../step.js';
import { dataChannelRefusal, modeName, restPastEnd, runTransfer } from '../transfer-flow.js';

/**
 * The upload flow STOR, APPE and STOU share. A REST offset writes from there without truncating
 * (the storage's `start`); `uploadMode` is passed through. The parent directory is stat'ed first,
 * as RETR stats its file: a missing parent (or a file in its place) is 550 before any 150, so the
 * client sends no data the server would refuse and no transfer event is emitted.
 */
export function upload(ctx: CommandContext, path: string, how: { append: boolean; offset: number; preliminary?: string }): Step {
  const parent = dirname(path);
  if (parent === '/') return uploadNow(ctx, path, how);
  return withStat(parent, (stat) => (stat.type === 'dir' ? uploadNow(ctx, path, how) : storageErrorStep('ENOTDIR')));
}

function uploadNow(ctx: CommandContext, path: string, how: { append: boolean; offset: number; preliminary?: string }): Step {
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
 * STOR: stores a file (replacing it, or writing from the REST offset without truncating). A REST
 * offset past the current end (or any offset for a missing file) is 554, as for RETR: it would
 * leave a hole, i.e. a sparse file as large as the client asks. A name with control characters
 * or bidi overrides is 553.
 * With atomic uploads any REST offset above 0 is refused with 554 (RFC 3659 §5.4): a failed
 * atomic upload leaves no partial to resume.
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
    const path = ctx.resolve(arg);
    const unsafe = unsafeNameRefusal(path);
    if (unsafe !== undefined) return unsafe;
    const offset = ctx.oneShot.restOffset;
    if (offset === 0) return upload(ctx, path, { append: false, offset });
    // An atomic upload that failed left no partial file: REST n + STOR would splice the new
    // bytes onto the old file (issue 15.4), so it is refused before any data connection opens.
    if (ctx.config.uploadMode === 'atomic') return storageErrorStep('ERANGE');
    return request({ kind: 'storage', call: { op: 'stat', path } }, (outcome) => {
      if (!outcome.ok) return isStorageErrorCode(outcome.error, 'ENOENT') ? restPastEnd() : failureStep(outcome);
      if (outcome.stat?.type === 'dir') return storageErrorStep('EISDIR');
      if (offset > (outcome.stat?.size ?? 0)) return restPastEnd();
      return upload(ctx, path, { append: false, offset });
    });
  },
};
