import type { ListEntry } from '@ftpkit/client';

const TYPE_CHAR: Record<ListEntry['type'], string> = { file: '-', dir: 'd', symlink: 'l', other: '?' };

/** One `ls` line: type, size, UTC time, name (and a symlink's target). */
export function formatEntry(e: ListEntry): string {
  const when = e.modified ? e.modified.toISOString().slice(0, 16).replace('T', ' ') : '                ';
  const target = e.type === 'symlink' && e.target ? ` -> ${e.target}` : '';
  return `${TYPE_CHAR[e.type]} ${String(e.size).padStart(12)} ${when} ${e.name}${target}`;
}
