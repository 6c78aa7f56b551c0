/**
 * Directory listing parser: unix `ls -l` shapes, DOS/IIS, and MLSD lines, detected per line.
 *
 * Theory of operation: each line is tried as MLSD (it starts with "fact=value;"), then DOS
 * ("MM-DD-YY  HH:MMPM  <DIR>|size  name"), then unix. The unix pattern anchors on the fields
 * before the name (type+permissions, optional link count, owner [group], size or "major, minor",
 * English month, day, time or year) and takes the rest after one space as the name, so names with
 * spaces, leading dashes or leading spaces survive. Lines that fit none are skipped (or refused in
 * strict mode); "total N", ".", ".." and MLSD cdir/pdir entries are skipped as no children.
 *
 * @see RFC 959 §4.1.3 (LIST), RFC 3659 §7 (MLSD)
 */
import { ListParseError } from './errors.js';
import type { ListEntry, ListEntryType } from './list-entry.js';
import { MONTHS } from './list-date.js';
import { parseMlsxLine } from './mlsx-facts.js';
import { formatPermissions, parsePermissions } from './unix-mode.js';

export interface ParseListOptions {
  /** Throw {@link ListParseError} on a line that fits no known shape instead of skipping it. */
  strict?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MLSX = /^(?:[^\s=;]+=[^;\s]*;)+ /;
const DOS = /^(\d{1,2})-(\d{1,2})-(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})\s*([AP]M)?\s+(<DIR>|\d+)\s+(.+)$/i;
const UNIX =
  /^([-bcdlpsDnw?])([-rwxsStTlL]{9})[.+@]?\s+(?:(\d+)\s+)?(.+?)\s+(\d+|\d+,\s*\d+)\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{1,2})\s+(\d{1,2}:\d{2}|\d{4})\s(.*)$/i;

type Outcome = ListEntry | 'skip' | 'bad';

/** A UTC date from its fields, or undefined when the day does not exist in that month. */
function utcDate(year: number, month: number, day: number, hour: number, minute: number): Date | undefined {
  if (month < 0 || month > 11 || hour > 23 || minute > 59) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(hour, minute, 0, 0);
  return d.getUTCMonth() === month && d.getUTCDate() === day ? d : undefined;
}

function parseMlsd(line: string): Outcome {
  let parsed;
  try {
    parsed = parseMlsxLine(line);
  } catch {
    return 'bad';
  }
  const { name, facts } = parsed;
  const kind = (facts.type ?? '').toLowerCase();
  if (kind === 'cdir' || kind === 'pdir' || name === '.' || name === '..') return 'skip';
  let type: ListEntryType = 'other';
  let target: string | undefined;
  if (kind === 'file' || kind === 'dir') type = kind;
  else if (kind === 'os.unix=symlink' || kind.startsWith('os.unix=slink')) {
    type = 'symlink';
    const colon = (facts.type ?? '').indexOf(':');
    if (colon >= 0) target = (facts.type ?? '').slice(colon + 1) || undefined;
  }
  const entry: ListEntry = { name, type, size: facts.size ?? 0, raw: line };
  if (facts.modify) entry.modified = facts.modify;
  if (facts.unixMode !== undefined) {
    entry.mode = facts.unixMode;
    entry.permissions = formatPermissions(facts.unixMode);
  }
  const owner = facts.extra?.['unix.ownername'] ?? facts.extra?.['unix.owner'] ?? facts.extra?.['unix.uid'];
  const group = facts.extra?.['unix.groupname'] ?? facts.extra?.['unix.group'] ?? facts.extra?.['unix.gid'];
  if (owner !== undefined) entry.owner = owner;
  if (group !== undefined) entry.group = group;
  if (target !== undefined) entry.target = target;
  return entry;
}

function parseDos(m: RegExpExecArray, line: string): Outcome {
  const [, mm, dd, yy, hh, min, ampm, sizeText, name] = m as unknown as string[];
  let year = Number(yy);
  if ((yy as string).length === 2) year += year < 70 ? 2000 : 1900;
  let hour = Number(hh);
  if (ampm) {
    if (hour < 1 || hour > 12) return 'bad';
    hour = (hour % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
  }
  const modified = utcDate(year, Number(mm) - 1, Number(dd), hour, Number(min));
  if (!modified) return 'bad';
  const isDir = (sizeText as string).toUpperCase() === '<DIR>';
  const size = isDir ? 0 : Number(sizeText);
  if (!Number.isSafeInteger(size)) return 'bad';
  if (name === '.' || name === '..') return 'skip';
  return { name: name as string, type: isDir ? 'dir' : 'file', size, modified, raw: line };
}

function resolveYearless(month: number, day: number, hour: number, minute: number, now: Date): Date | undefined {
  const year = now.getUTCFullYear();
  const thisYear = utcDate(year, month, day, hour, minute);
  // A date more than a day ahead of `now` (clock or zone skew allowed) must be from last year.
  if (thisYear && thisYear.getTime() <= now.getTime() + DAY_MS) return thisYear;
  return utcDate(year - 1, month, day, hour, minute);
}

function parseUnix(m: RegExpExecArray, line: string, now: Date): Outcome {
  const [, letter, perms, links, people, sizeText, monthText, dayText, timeText, rest] = m as unknown as string[];
  const month = MONTHS.findIndex((mon) => mon.toLowerCase() === (monthText as string).toLowerCase());
  const day = Number(dayText);
  let modified: Date | undefined;
  if ((timeText as string).includes(':')) {
    const [h, mi] = (timeText as string).split(':').map(Number) as [number, number];
    modified = resolveYearless(month, day, h, mi, now);
  } else {
    modified = utcDate(Number(timeText), month, day, 0, 0);
  }
  if (!modified || rest === undefined || rest === '') return 'bad';
  const type: ListEntryType = letter === 'd' ? 'dir' : letter === 'l' ? 'symlink' : letter === '-' ? 'file' : 'other';
  let name = rest;
  let target: string | undefined;
  if (type === 'symlink') {
    const arrow = rest.indexOf(' -> ');
    if (arrow >= 0) {
      name = rest.slice(0, arrow);
      target = rest.slice(arrow + 4);
    }
  }
  if (name === '.' || name === '..') return 'skip';
  const size = (sizeText as string).includes(',') ? 0 : Number(sizeText);
  if (!Number.isSafeInteger(size)) return 'bad';
  const [owner, ...groupParts] = (people as string).split(/\s+/);
  const entry: ListEntry = {
    name,
    type,
    size,
    modified,
    permissions: perms as string,
    raw: line,
  };
  const mode = parsePermissions(perms as string);
  if (mode !== undefined) entry.mode = mode;
  if (owner !== undefined) entry.owner = owner;
  if (groupParts.length > 0) entry.group = groupParts.join(' ');
  if (links !== undefined) entry.links = Number(links);
  if (target !== undefined) entry.target = target;
  return entry;
}

function classify(rawLine: string, now: Date): Outcome {
  const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
  if (line.trim() === '' || /^total\s+\d+/i.test(line)) return 'skip';
  if (MLSX.test(line)) return parseMlsd(line);
  const dos = DOS.exec(line);
  if (dos) return parseDos(dos, line);
  const unix = UNIX.exec(line);
  if (unix) return parseUnix(unix, line, now);
  return 'bad';
}

/**
 * Parses one listing line of any supported shape. Returns undefined for lines that fit no shape and
 * for lines that name no child ("total N", ".", "..", MLSD cdir/pdir). Year-less unix dates
 * ("Mon DD HH:MM") take `now`'s year, or the year before when that would put them more than a day
 * after `now`. All listing times are read as UTC; month names are English.
 */
export function parseListLine(line: string, now: Date): ListEntry | undefined {
  const outcome = classify(line, now);
  return typeof outcome === 'string' ? undefined : outcome;
}

/**
 * Parses a LIST or MLSD listing (CRLF or LF lines), detecting unix (vsftpd, proftpd, pure-ftpd, GNU
 * ls, including symlinks "name -> target", names with spaces, device files, "total" lines, numeric
 * owners, missing group), DOS/IIS and MLSD shapes per line. Unparseable lines are skipped, unless
 * `opts.strict` is set, then the first one throws {@link ListParseError}.
 */
export function parseList(text: string, now: Date, opts: ParseListOptions = {}): ListEntry[] {
  const entries: ListEntry[] = [];
  for (const line of text.split('\n')) {
    const outcome = classify(line, now);
    if (outcome === 'bad') {
      if (opts.strict) throw new ListParseError(`unrecognised listing line ${JSON.stringify(line.slice(0, 120))}`);
    } else if (outcome !== 'skip') {
      entries.push(outcome);
    }
  }
  return entries;
}
