/**
 * Unix `ls -l` style LIST output, the shape FTP clients parse best.
 *
 * @see RFC 959 §4.1.3 (LIST: the format is not specified; this is the de-facto one)
 */
import type { ListEntry } from './list-entry.js';
import { formatListDate } from './list-date.js';
import { escapeUnsafeName } from './name-safety.js';
import { formatPermissions, parsePermissions } from './unix-mode.js';

const DEFAULT_PERMS = { file: 'rw-r--r--', dir: 'rwxr-xr-x', symlink: 'rwxrwxrwx', other: 'rw-r--r--' } as const;

function typeLetter(entry: ListEntry): string {
  switch (entry.type) {
    case 'dir':
      return 'd';
    case 'symlink':
      return 'l';
    case 'file':
      return '-';
    default:
      switch ((entry.mode ?? 0) & 0o170000) {
        case 0o140000:
          return 's';
        case 0o060000:
          return 'b';
        case 0o020000:
          return 'c';
        default:
          return 'p';
      }
  }
}

function permissionText(entry: ListEntry): string {
  if (entry.permissions !== undefined) {
    if (parsePermissions(entry.permissions) !== undefined) return entry.permissions;
    if (/^[0-7]{3,4}$/.test(entry.permissions)) return formatPermissions(parseInt(entry.permissions, 8));
  }
  if (entry.mode !== undefined) return formatPermissions(entry.mode & 0o7777);
  return DEFAULT_PERMS[entry.type];
}

/**
 * One `ls -l` line (no line end): type and permissions, links, owner, group, size, date, name
 * ("name -> target" for symlinks with a target). Permissions come from `permissions` (rwx or octal
 * text), else `mode`, else a default per type; owner and group default to "ftp", links to 1; a
 * missing or invalid `modified` is shown as the Unix epoch. Dates are shown in UTC: files modified
 * within six months before `now` show "Mon DD HH:MM", older or future ones "Mon DD  YYYY". Control
 * characters and bidi overrides in the name and target are written as '?' ({@link escapeUnsafeName}),
 * so a name can never split the line or drive the client's terminal.
 */
export function formatListLine(entry: ListEntry, now: Date): string {
  const modified = entry.modified && !Number.isNaN(entry.modified.getTime()) ? entry.modified : new Date(0);
  const name = escapeUnsafeName(
    entry.type === 'symlink' && entry.target !== undefined ? `${entry.name} -> ${entry.target}` : entry.name,
  );
  return [
    typeLetter(entry) + permissionText(entry),
    String(entry.links ?? 1).padStart(4, ' '),
    (entry.owner ?? 'ftp').padEnd(8, ' '),
    (entry.group ?? 'ftp').padEnd(8, ' '),
    String(entry.size).padStart(12, ' '),
    formatListDate(modified, now),
    name,
  ].join(' ');
}

/**
 * One NLST line (no line end): the bare name, with control characters and bidi overrides written
 * as '?' as in {@link formatListLine}.
 *
 * @see RFC 959 §4.1.3 (NLST)
 */
export function formatNlstLine(name: string): string {
  return escapeUnsafeName(name);
}

/** {@link formatListLine} for each entry, each line ended by CRLF; '' when there are none. */
export function formatList(entries: Iterable<ListEntry>, now: Date): string {
  let out = '';
  for (const entry of entries) out += `${formatListLine(entry, now)}\r\n`;
  return out;
}
