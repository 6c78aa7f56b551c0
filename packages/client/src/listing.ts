import { parseList, parseMlsxLine, type ListEntry, type MlsxEntry } from '@ftpkit/codec';

/** Converts one MLSx entry to the common ListEntry shape (cdir/pdir give undefined). */
export function mlsxToEntry(m: MlsxEntry): ListEntry | undefined {
  const t = (m.facts.type ?? '').toLowerCase();
  if (t === 'cdir' || t === 'pdir') return undefined;
  const type: ListEntry['type'] = t === 'file' ? 'file' : t === 'dir' ? 'dir' : t.includes('symlink') || t.includes('slink') ? 'symlink' : t ? 'other' : 'file';
  const entry: ListEntry = { name: m.name, type, size: m.facts.size ?? 0 };
  if (m.facts.modify) entry.modified = m.facts.modify;
  if (m.facts.perm !== undefined) entry.permissions = m.facts.perm;
  if (m.facts.unixMode !== undefined) entry.mode = m.facts.unixMode;
  return entry;
}

/**
 * Parses an MLSD body (one entry per line) into entries; lines that do not parse are skipped,
 * as are the "." and ".." entries. @see RFC 3659 §7
 */
export function parseMlsdListing(text: string): ListEntry[] {
  const out: ListEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    let m: MlsxEntry;
    try {
      m = parseMlsxLine(line);
    } catch {
      continue;
    }
    const e = mlsxToEntry(m);
    if (e && e.name !== '.' && e.name !== '..') out.push(e);
  }
  return out;
}

/** Parses a LIST body with the codec's auto-detecting parser, dropping "." and "..". */
export function parseListListing(text: string, now: Date): ListEntry[] {
  return parseList(text, now).filter((e) => e.name !== '.' && e.name !== '..');
}

/**
 * The facts line of a 250 MLST reply ("250-Listing x", " type=file;... x", "250 End").
 * @see RFC 3659 §7.2
 */
export function parseMlstReply(lines: readonly string[]): ListEntry | undefined {
  for (const line of lines.slice(1)) {
    const text = line.startsWith(' ') ? line.slice(1) : line;
    if (!text.includes('=')) continue;
    try {
      const e = mlsxToEntry(parseMlsxLine(text));
      if (e) return e;
    } catch {
      // Not a facts line.
    }
  }
  return undefined;
}
