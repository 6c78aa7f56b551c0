/**
 * RFC 3659 facts of one storage entry, for MLST.
 *
 * @see RFC 3659 §7.5
 */
import type { MlsxFacts } from '@ftpkit/codec';
import type { FileStat } from '@ftpkit/storage';

/**
 * `perm` follows what this user may do: files r (+ a d f w when writable), directories e l
 * (+ c d f m p when writable).
 */
export function factsFromStat(stat: FileStat, writable: boolean): MlsxFacts {
  const dir = stat.type === 'dir';
  const facts: MlsxFacts = {
    type: dir ? 'dir' : stat.type === 'symlink' ? 'OS.unix=symlink' : 'file',
    size: stat.size,
    modify: stat.mtime,
    perm: dir ? (writable ? 'cdeflmp' : 'el') : writable ? 'adfrw' : 'r',
  };
  if (stat.unique !== undefined) facts.unique = stat.unique;
  if (stat.mode !== undefined) facts.unixMode = stat.mode & 0o7777;
  return facts;
}
