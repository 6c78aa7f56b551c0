import { formatMdtm, parseMdtm } from '@ftpkit/codec';
import type { CommandSpec } from '../command-spec.js';
import { printable, storageCall } from '../command-helpers.js';
import { reply } from '../step.js';

/**
 * MFMT YYYYMMDDHHMMSS <path>: sets the modification time (UTC). Offered only when the storage
 * has `setMtime`. Answers "213 Modify=<time>; <path>".
 *
 * @see draft-somers-ftp-mfxx-04 §3
 */
export const mfmtCommand: CommandSpec = {
  verb: 'MFMT',
  auth: true,
  arg: 'required',
  writes: true,
  capability: 'setMtime',
  feat: () => ['MFMT'],
  syntax: 'MFMT <SP> YYYYMMDDHHMMSS <SP> path -- set the modification time',
  run(ctx, arg) {
    const m = /^(\S+) (.+)$/.exec(arg.trimStart());
    if (m === null) return reply(501, 'Syntax: MFMT YYYYMMDDHHMMSS path.');
    let mtime: Date;
    try {
      mtime = parseMdtm(m[1] as string);
    } catch {
      return reply(501, 'Invalid time value.');
    }
    const given = m[2] as string;
    const path = ctx.resolve(given);
    return storageCall({ op: 'setMtime', path, mtime }, () =>
      reply(213, `Modify=${formatMdtm(mtime)}; ${printable(given)}`),
    );
  },
};
