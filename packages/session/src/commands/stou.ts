import type { CommandContext, CommandSpec } from '../command-spec.js';
import { lastSegment, printable, unsafeNameRefusal } from '../command-helpers.js';
import { failureStep, isStorageErrorCode } from '../error-replies.js';
import { reply, request, type Step } from '../step.js';
import { dataChannelRefusal } from '../transfer-flow.js';
import { upload } from './stor.js';

/** Most names STOU tries before giving up with 553. */
export const STOU_MAX_PROBES = 100;

/** The name STOU starts from when the client gives none. */
export const STOU_DEFAULT_NAME = 'ftpkit-upload';

function probe(ctx: CommandContext, base: string, n: number): Step {
  if (n >= STOU_MAX_PROBES) return reply(553, 'Could not find a unique file name.');
  const candidate = n === 0 ? base : `${base}.${n}`;
  return request({ kind: 'storage', call: { op: 'stat', path: candidate } }, (outcome) => {
    if (outcome.ok) return probe(ctx, base, n + 1);
    if (!isStorageErrorCode(outcome.error, 'ENOENT')) return failureStep(outcome);
    return upload(ctx, candidate, { append: false, offset: 0, preliminary: `FILE: ${printable(lastSegment(candidate))}` });
  });
}

/**
 * STOU [name]: stores under a name that does not exist yet: the given name (or "ftpkit-upload"),
 * else name.1, name.2, ... found by stat-probing (at most 100 probes). The preliminary reply is
 * "150 FILE: <name>" as RFC 1123 requires. A name with control characters or bidi overrides is 553. Another session may create the same name between the
 * probe and the upload; the storage has no exclusive create, so this is documented, not prevented.
 *
 * @see RFC 959 §4.1.3, RFC 1123 §4.1.2.9
 */
export const stouCommand: CommandSpec = {
  verb: 'STOU',
  auth: true,
  arg: 'optional',
  writes: true,
  syntax: 'STOU [<SP> name] -- upload under a unique name',
  run(ctx, arg) {
    const refusal = dataChannelRefusal(ctx);
    if (refusal !== undefined) return refusal;
    const base = ctx.resolve(arg.trim() === '' ? STOU_DEFAULT_NAME : arg);
    const unsafe = unsafeNameRefusal(base);
    if (unsafe !== undefined) return unsafe;
    return probe(ctx, base, 0);
  },
};
