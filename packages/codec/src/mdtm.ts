/**
 * time-val: "YYYYMMDDHHMMSS[.sss]" in UTC, used by MDTM, MFMT and the MLSx modify fact.
 *
 * @see RFC 3659 §2.3, §3
 */
import { MdtmError } from './errors.js';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * "YYYYMMDDHHMMSS" in UTC, plus ".sss" only when the milliseconds are not zero. Throws
 * {@link MdtmError} for an invalid Date or a year outside 0..9999.
 *
 * @see RFC 3659 §2.3
 */
export function formatMdtm(date: Date): string {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new MdtmError('invalid Date');
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new MdtmError(`year ${year} does not fit a time-val`);
  const base =
    pad(year, 4) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2);
  const ms = date.getUTCMilliseconds();
  return ms === 0 ? base : `${base}.${pad(ms, 3)}`;
}

const TIME_VAL = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?$/;

/**
 * Parses a time-val (surrounding whitespace allowed) as UTC. A fraction of any length is accepted
 * and kept to milliseconds. Throws {@link MdtmError} for anything else, including impossible dates
 * (Feb 30, hour 24) and the leap second 60, which a Date cannot hold.
 *
 * @see RFC 3659 §2.3
 */
export function parseMdtm(text: string): Date {
  const m = TIME_VAL.exec(text.trim());
  if (!m) throw new MdtmError(`bad time-val ${JSON.stringify(text.slice(0, 40))}`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  if (
    month < 1 ||
    month > 12 ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    throw new MdtmError(`time-val out of range ${JSON.stringify(text.slice(0, 40))}`);
  }
  return date;
}
