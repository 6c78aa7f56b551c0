import { formatListLine, formatMlsxLine, formatNlstLine, type ListEntry, type MlsxEntry } from '@ftpkit/codec';
import type { SessionUser, TransferSpec } from '@ftpkit/session';
import type { FileStat, StorageAdapter } from '@ftpkit/storage';

type ListSpec = Extract<TransferSpec, { type: 'list' }>;

/** Bytes a listing accumulates before handing a chunk to the socket. */
const LISTING_CHUNK = 64 * 1024;

/** A FileStat as a unix `ls -l` entry. */
export function toListEntry(stat: FileStat): ListEntry {
  const entry: ListEntry = {
    name: stat.name,
    type: stat.type,
    size: stat.type === 'dir' ? 4096 : stat.size,
    modified: stat.mtime,
    mode: stat.mode ?? (stat.type === 'dir' ? 0o755 : 0o644),
    owner: 'ftp',
    group: 'ftp',
    links: stat.type === 'dir' ? 2 : 1,
  };
  if (stat.target !== undefined) entry.target = stat.target;
  return entry;
}

/** RFC 3659 §7.5.5 perm fact for what this user may do. */
function permFact(stat: FileStat, user: SessionUser | undefined): string {
  const ro = user?.readOnly === true;
  if (stat.type === 'dir') return ro ? 'el' : 'elcdmfp';
  return ro ? 'r' : 'adfrw';
}

/** A FileStat as MLSx facts. */
export function toMlsxEntry(stat: FileStat, user: SessionUser | undefined): MlsxEntry {
  const facts: MlsxEntry['facts'] = {
    type: stat.type === 'dir' ? 'dir' : stat.type === 'symlink' ? 'OS.unix=symlink' : 'file',
    modify: stat.mtime,
    perm: permFact(stat, user),
  };
  if (stat.type !== 'dir') facts.size = stat.size;
  if (stat.unique !== undefined) facts.unique = stat.unique;
  if (stat.mode !== undefined) facts.unixMode = stat.mode & 0o7777;
  return { name: stat.name, facts };
}

function formatOne(stat: FileStat, spec: Pick<ListSpec, 'format' | 'facts'>, user: SessionUser | undefined, now: Date): string {
  switch (spec.format) {
    case 'list':
      return formatListLine(toListEntry(stat), now);
    case 'nlst':
      return formatNlstLine(stat.name);
    case 'mlsd':
      return formatMlsxLine(toMlsxEntry(stat, user), spec.facts);
  }
}

/** Entries named by a LIST/NLST/MLSD spec, streamed from storage; dot files only with `all` (LIST/NLST). */
export async function* listingStats(storage: StorageAdapter, spec: ListSpec, signal?: AbortSignal): AsyncGenerator<FileStat> {
  if (spec.single === true) {
    yield await storage.stat(spec.path);
    return;
  }
  const hideDots = spec.format !== 'mlsd' && spec.all !== true;
  for await (const stat of storage.list(spec.path, signal === undefined ? undefined : { signal })) {
    if (hideDots && stat.name.startsWith('.')) continue;
    yield stat;
  }
}

/** A listing as CRLF-terminated UTF-8 lines, in chunks of about 64 KiB (RFC 959 §4.1.3 LIST/NLST, RFC 3659 §7 MLSD). */
export async function* listingChunks(
  storage: StorageAdapter,
  spec: ListSpec,
  user: SessionUser | undefined,
  now: Date,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  let pending = '';
  for await (const stat of listingStats(storage, spec, signal)) {
    pending += `${formatOne(stat, spec, user, now)}\r\n`;
    if (pending.length >= LISTING_CHUNK) {
      yield Buffer.from(pending, 'utf8');
      pending = '';
    }
  }
  if (pending.length > 0) yield Buffer.from(pending, 'utf8');
}

/** STAT <path>: the listing lines for the control connection, at most `maxLines`. */
export async function listingLines(
  storage: StorageAdapter,
  path: string,
  single: boolean,
  now: Date,
  maxLines: number,
): Promise<string[]> {
  const lines: string[] = [];
  const spec: ListSpec = { type: 'list', path, format: 'list', all: true, single };
  for await (const stat of listingStats(storage, spec)) {
    if (lines.length >= maxLines) break;
    lines.push(formatListLine(toListEntry(stat), now));
  }
  return lines;
}
