import type { ListEntry } from '@ftpkit/codec';
import { lstat, mkdir, readdir, realpath, rm, utimes } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FtpLimitError, FtpLocalError, FtpReplyError, FtpUnsafePathError } from '../errors.js';
import { planMirror, type MirrorAction, type MirrorItem } from '../mirror-plan.js';
import { joinRemote, unsafeNameReason } from '../remote-path.js';
import type { FtpClient, TransferProgress } from './ftp-client.js';
import { FtpPool } from './ftp-pool.js';

export interface MirrorOptions {
  /** 'download' (default): remote -> local. 'upload': local -> remote. */
  direction?: 'download' | 'upload' | undefined;
  /** Connections used for file transfers. Default 1. */
  parallel?: number | undefined;
  /**
   * Remove what the source does not have. Default false. The source must be listed completely:
   * a missing or unreadable source is an error before anything changes, and entries the walk
   * skipped (too deep, symlinks, unsafe names) are kept on the target.
   */
  delete?: boolean | undefined;
  /** Only plan: return the actions without doing them. */
  dryRun?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** Called for each transfer's progress. */
  onProgress?: ((p: TransferProgress) => void) | undefined;
  /** Called before each action runs. */
  onAction?: ((a: MirrorAction) => void) | undefined;
  /** Called after each action succeeded (e.g. to report what `delete` removed). */
  onActionDone?: ((a: MirrorAction) => void) | undefined;
  /** Deepest directory level walked. Default 64. */
  maxDepth?: number | undefined;
  /** Most entries walked. Default 1 000 000. */
  maxEntries?: number | undefined;
}

export interface MirrorResult {
  actions: MirrorAction[];
  /** Names that were refused (unsafe, symlinks, other types). */
  skipped: Array<{ path: string; reason: string }>;
  bytes: number;
}

/**
 * The local path for a relative mirror path, refusing anything that leaves `root` — also through a
 * symlinked directory inside it. Each segment must be a plain name ('..', '/etc/x' are refused).
 */
export async function resolveInside(root: string, rel: string): Promise<string> {
  const parts = rel.split('/');
  for (const p of parts) {
    const reason = unsafeNameReason(p) ?? (p.includes(sep) ? 'contains a path separator' : undefined);
    if (reason) throw new FtpUnsafePathError(rel, reason);
  }
  const base = resolve(root);
  const target = resolve(base, ...parts);
  const r = relative(base, target);
  if (r === '' || r.startsWith('..') || isAbsolute(r)) throw new FtpUnsafePathError(rel, 'resolves outside the target directory');
  // A directory on the way that is a symlink could point anywhere.
  const realBase = await realpath(base);
  let dir = base;
  for (const p of parts.slice(0, -1)) {
    dir = join(dir, p);
    const st = await lstat(dir).catch(() => undefined);
    if (!st) break;
    if (st.isSymbolicLink()) throw new FtpUnsafePathError(rel, 'a directory on the way is a symlink');
  }
  const realDir = await realpath(join(target, '..')).catch(() => undefined);
  if (realDir && realDir !== realBase && !realDir.startsWith(realBase + sep)) throw new FtpUnsafePathError(rel, 'resolves outside the target directory');
  return target;
}

type Limits = Required<Pick<MirrorOptions, 'maxDepth' | 'maxEntries'>>;

/**
 * The remote tree. Any listing that fails is an error, except a missing root when the remote side
 * is the target (`rootMayBeMissing`, an upload into a new directory): a source that cannot be
 * listed must never look empty, or `delete` would remove everything on the other side.
 */
async function walkRemote(client: FtpClient, root: string, opts: Limits, skipped: MirrorResult['skipped'], rootMayBeMissing: boolean): Promise<MirrorItem[]> {
  const items: MirrorItem[] = [];
  const visit = async (dir: string, rel: string, depth: number): Promise<void> => {
    if (depth > opts.maxDepth) {
      skipped.push({ path: rel, reason: 'too deep' });
      return;
    }
    let entries: ListEntry[];
    try {
      entries = await client.list(dir);
    } catch (err) {
      if (rootMayBeMissing && depth === 0 && err instanceof FtpReplyError && err.replyCode >= 500) return;
      throw err;
    }
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      const reason = unsafeNameReason(e.name);
      if (reason) {
        skipped.push({ path, reason });
        continue;
      }
      if (items.length >= opts.maxEntries) {
        skipped.push({ path, reason: 'too many entries' });
        return;
      }
      if (e.type === 'dir') {
        items.push({ path, type: 'dir', size: 0 });
        await visit(joinRemote(dir, e.name), path, depth + 1);
      } else if (e.type === 'file') {
        items.push({ path, type: 'file', size: e.size, ...(e.modified ? { modified: e.modified } : {}) });
      } else {
        skipped.push({ path, reason: `not a regular file (${e.type})` });
      }
    }
  };
  await visit(root, '', 0);
  return items;
}

/**
 * The local tree. A directory that cannot be read is an error (FtpLocalError), except a missing
 * root when the local side is the target (`rootMayBeMissing`, a download into a new directory).
 */
async function walkLocal(root: string, opts: Limits, skipped: MirrorResult['skipped'], rootMayBeMissing: boolean): Promise<MirrorItem[]> {
  const items: MirrorItem[] = [];
  const visit = async (dir: string, rel: string, depth: number): Promise<void> => {
    if (depth > opts.maxDepth) {
      skipped.push({ path: rel, reason: 'too deep' });
      return;
    }
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if (rootMayBeMissing && depth === 0 && (err as { code?: string }).code === 'ENOENT') return;
      const code = (err as { code?: string }).code;
      throw new FtpLocalError(`cannot read the local directory ${dir}${code ? ` (${code})` : ''}`, dir, { cause: err });
    }
    for (const name of names.sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(dir, name));
      if (items.length >= opts.maxEntries) {
        skipped.push({ path, reason: 'too many entries' });
        return;
      }
      if (st.isDirectory()) {
        items.push({ path, type: 'dir', size: 0 });
        await visit(join(dir, name), path, depth + 1);
      } else if (st.isFile()) {
        items.push({ path, type: 'file', size: st.size, modified: st.mtime });
      } else {
        skipped.push({ path, reason: st.isSymbolicLink() ? 'symlink not followed' : 'not a regular file' });
      }
    }
  };
  await visit(root, '', 0);
  return items;
}

/**
 * Makes `localDir` equal to `remoteDir` (download) or the other way round (upload), transferring
 * only files whose size or modification time differ. Downloads set the local time to the server's;
 * uploads set the server's with MFMT when offered, else later runs skip files the server has newer.
 */
export async function mirror(client: FtpClient, remoteDir: string, localDir: string, opts: MirrorOptions = {}): Promise<MirrorResult> {
  const direction = opts.direction ?? 'download';
  const limits = { maxDepth: opts.maxDepth ?? 64, maxEntries: opts.maxEntries ?? 1_000_000 };
  const skipped: MirrorResult['skipped'] = [];
  // The source first: when it cannot be listed nothing else happens (nothing made, nothing deleted).
  const sourceSkipped: MirrorResult['skipped'] = [];
  let remote: MirrorItem[];
  let local: MirrorItem[];
  if (direction === 'download') {
    remote = await walkRemote(client, remoteDir, limits, sourceSkipped, false);
    local = await walkLocal(localDir, limits, skipped, true);
  } else {
    local = await walkLocal(localDir, limits, sourceSkipped, false);
    remote = await walkRemote(client, remoteDir, limits, skipped, true);
  }
  skipped.unshift(...sourceSkipped);
  const deleting = opts.delete ?? false;
  if (deleting && sourceSkipped.some((s) => s.reason === 'too many entries')) {
    throw new FtpLimitError('maxEntries', limits.maxEntries, 'the source has more entries than were listed, so delete cannot know what to keep');
  }
  // Whatever the source has but skipped (too deep, a symlink, an unsafe name) is kept on the target.
  const keep = sourceSkipped.map((s) => s.path);
  const mlsd = client.features.has('MLST');
  const actions = direction === 'download'
    ? planMirror(remote, local, { delete: deleting, keep, toleranceSeconds: mlsd ? 1 : 60, timeRule: 'exact' })
    : planMirror(local, remote, { delete: deleting, keep, toleranceSeconds: mlsd ? 1 : 60, timeRule: client.features.has('MFMT') ? 'exact' : 'newer' });
  const result: MirrorResult = { actions, skipped, bytes: 0 };
  if (opts.dryRun) return result;
  if (direction === 'download') await mkdir(localDir, { recursive: true });

  // Deletions of clashing items, directories, then files in parallel, then the remaining deletions.
  const transfers = actions.filter((a): a is Extract<MirrorAction, { type: 'transfer' }> => a.type === 'transfer');
  const firstTransfer = actions.findIndex((a) => a.type === 'transfer');
  const before = actions.filter((a, i) => a.type !== 'transfer' && (firstTransfer < 0 || i < firstTransfer));
  const after = actions.filter((a, i) => a.type !== 'transfer' && firstTransfer >= 0 && i > firstTransfer);
  const runSimple = async (a: MirrorAction): Promise<void> => {
    opts.onAction?.(a);
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (direction === 'download') {
      const target = await resolveInside(localDir, a.path);
      if (a.type === 'mkdir') await mkdir(target, { recursive: true });
      else if (a.type === 'delete') await rm(target, { recursive: true, force: true });
    } else {
      const target = joinRemote(remoteDir, a.path);
      if (a.type === 'mkdir') await client.mkdir(target, { recursive: true });
      else if (a.type === 'delete') {
        if (a.kind === 'dir') await client.removeDir(target, { recursive: true });
        else await client.remove(target);
      }
    }
    opts.onActionDone?.(a);
  };
  if (direction === 'upload') await client.mkdir(remoteDir, { recursive: true });
  for (const a of before) await runSimple(a);
  const parallel = Math.max(1, Math.min(opts.parallel ?? 1, transfers.length || 1));
  const pool = FtpPool.from(client, parallel);
  const progress = new Map<string, number>();
  try {
    await pool.map(transfers, async (c, a) => {
      opts.onAction?.(a);
      const remotePath = joinRemote(remoteDir, a.path);
      const onProgress = (p: TransferProgress): void => {
        result.bytes += p.bytes - (progress.get(a.path) ?? 0);
        progress.set(a.path, p.bytes);
        opts.onProgress?.(p);
      };
      const topts = { ...(opts.signal ? { signal: opts.signal } : {}), onProgress };
      if (direction === 'download') {
        const target = await resolveInside(localDir, a.path);
        await c.download(remotePath, target, topts);
        if (a.modified) await utimes(target, a.modified, a.modified);
      } else {
        const source = await resolveInside(localDir, a.path);
        await c.upload(source, remotePath, topts);
        if (a.modified) await c.setLastModified(remotePath, a.modified);
      }
      opts.onActionDone?.(a);
    });
  } finally {
    await pool.close();
  }
  for (const a of after) await runSimple(a);
  return result;
}
