/** What a directory listing says about one entry, whichever format it came from. */

/** The kinds of entry a listing distinguishes. */
export type ListEntryType = 'file' | 'dir' | 'symlink' | 'other';

/** One entry of a LIST/MLSD listing. */
export interface ListEntry {
  name: string;
  type: ListEntryType;
  /** Bytes; 0 when the listing gives none (directories in DOS listings, device files). */
  size: number;
  modified?: Date;
  /**
   * Access rights as the listing states them; the format depends on the listing:
   * - a unix `LIST` line: its nine permission characters as sent, without the type letter
   *   (`"rwxr-xr-x"`, `"rwsr-xr-x"`); `mode` holds the same as bits.
   * - MLSD/MLST read by `@ftpkit/client` (`list`, `stat`): the RFC 3659 `perm` fact as sent, letters
   *   such as `a c d e f l m p r w` (`"adfrw"` for a file, `"flcdmpe"` for a directory; servers may add
   *   their own, pyftpdlib sends `"radfwMT"`): what the logged-in user may do, not unix bits. Absent when the
   *   server sends no `perm` fact; `mode` holds `UNIX.mode` when it is sent.
   * - an MLSD line given to `parseList`: `"rwxr-xr-x"` made from `UNIX.mode`, absent without it.
   * - DOS/IIS lines: absent.
   */
  permissions?: string;
  /** Numeric mode: permission bits 0..0o7777 (file-type bits are ignored when formatting except for type 'other'). */
  mode?: number;
  owner?: string;
  group?: string;
  links?: number;
  /** symlink target */
  target?: string;
  /** The listing line this entry was parsed from. */
  raw?: string;
}
