import { formatMdtm } from '@ftpkit/codec';
import type { CommandSpec } from '../command-spec.js';
import { withStat } from '../command-helpers.js';
import { reply } from '../step.js';

/** Whole seconds: some clients cannot parse the optional fraction. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/**
 * MDTM <path>: the modification time, `213 YYYYMMDDHHMMSS` in UTC. Only the query form: the
 * "MDTM time path" setter some servers accept is ambiguous with names made of digits, so MFMT is
 * the setter here.
 *
 * @see RFC 3659 §3
 */
export const mdtmCommand: CommandSpec = {
  verb: 'MDTM',
  auth: true,
  keepsRestartMarker: true,
  arg: 'required',
  feat: () => ['MDTM'],
  syntax: 'MDTM <SP> path -- modification time (UTC)',
  run(ctx, arg) {
    return withStat(ctx.resolve(arg), (stat) => reply(213, formatMdtm(wholeSeconds(stat.mtime))));
  },
};
