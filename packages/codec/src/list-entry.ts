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
  /** unix permission string like "rwxr-xr-x" (9 characters, without the type letter) */
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
