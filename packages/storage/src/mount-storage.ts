import { basename, isPathWithin, joinPath, pathSegments, resolvePath } from './resolve-path.js';
import type {
  FileStat,
  OpenedRead,
  ReadOptions,
  StorageAdapter,
  SweepOptions,
  SweepResult,
  WriteOptions,
  WriteResult,
} from './storage-adapter.js';
import { StorageError, isStorageError } from './storage-error.js';
import { instanceLockKey, lockKeyOf } from './lock-key.js';

/** Mount points (virtual directories) mapped to the adapter that serves everything below them. */
export type MountTable = Readonly<Record<string, StorageAdapter>>;

interface Mount {
  point: string;
  adapter: StorageAdapter;
}

interface Route {
  mount: Mount;
  /** The path as the mounted adapter sees it. */
  inner: string;
}

/**
 * One adapter that delegates to others by longest path prefix, e.g.
 * `mountStorage({ '/': localStorage(...), '/archive': s3Storage(...) })`.
 *
 * Theory of operation: every path goes to the mount with the longest matching prefix, with that
 * prefix cut off (`/archive/a.txt` reaches the archive adapter as `/a.txt`). Mount points, and
 * directories that only exist because a mount lies below them, always appear as directories in
 * `stat` and `list` even when the parent adapter has no such directory. They cannot be removed,
 * renamed or overwritten (`EACCES`, `EISDIR` for file operations, `EEXIST` for `mkdir`).
 *
 * Rename across mounts: a **file** is copied to the other mount as an `atomic` write and the
 * source is deleted only after the copy completed (so a failure leaves the source in place); a
 * **directory** is refused with `ENOTSUP` (a recursive copy is neither atomic nor bounded in time;
 * the server answers it like any other refused rename).
 *
 * Capabilities: `setMtime` and `chmod` exist when at least one mounted adapter has them; on a
 * mount whose adapter lacks them they fail with `ENOTSUP`. So does `openRead`, which on such a
 * mount is a `stat` and then a `read`. `dispose` disposes every mounted
 * adapter once.
 *
 * @throws StorageError `EINVAL` when two mount points normalise to the same path.
 */
export function mountStorage(table: MountTable): StorageAdapter {
  const mounts: Mount[] = [];
  for (const [rawPoint, adapter] of Object.entries(table)) {
    const point = resolvePath('/', rawPoint);
    if (mounts.some((m) => m.point === point)) {
      throw new StorageError('EINVAL', `mount point ${point} given twice`);
    }
    mounts.push({ point, adapter });
  }
  // Longest first, so the first match is the most specific mount.
  mounts.sort((a, b) => b.point.length - a.point.length);

  const route = (raw: string): Route | undefined => {
    const path = resolvePath('/', raw);
    const mount = mounts.find((m) => isPathWithin(m.point, path));
    if (mount === undefined) return undefined;
    const inner = mount.point === '/' ? path : path.slice(mount.point.length) || '/';
    return { mount, inner };
  };

  /** True for a mount point itself and for every directory that holds one below it. */
  const isStructural = (raw: string): boolean => {
    const path = resolvePath('/', raw);
    return mounts.some((m) => m.point !== '/' && isPathWithin(path, m.point));
  };

  const routeOrThrow = (path: string): Route => {
    const r = route(path);
    if (r === undefined) throw new StorageError('ENOENT', path);
    return r;
  };

  const outer = (mount: Mount, stat: FileStat): FileStat => {
    const path = joinPath(mount.point, stat.path);
    return { ...stat, path, name: basename(path) };
  };

  const syntheticDir = (path: string): FileStat => ({
    name: basename(path),
    path,
    type: 'dir',
    size: 0,
    mtime: new Date(0),
  });

  const stat = async (raw: string): Promise<FileStat> => {
    const path = resolvePath('/', raw);
    const r = route(path);
    if (r === undefined) {
      if (isStructural(path)) return syntheticDir(path);
      throw new StorageError('ENOENT', path);
    }
    try {
      return outer(r.mount, await r.mount.adapter.stat(r.inner));
    } catch (err) {
      if (isStructural(path) && isStorageError(err, 'ENOENT')) return syntheticDir(path);
      throw err;
    }
  };

  /** Names of the entries of `dir` that exist because of mounts below it. */
  const mountedChildren = (dir: string): Set<string> => {
    const depth = pathSegments(dir).length;
    const names = new Set<string>();
    for (const m of mounts) {
      if (m.point === dir || !isPathWithin(dir, m.point)) continue;
      const name = pathSegments(m.point)[depth];
      if (name !== undefined) names.add(name);
    }
    return names;
  };

  const refuseStructural = (path: string, code: 'EACCES' | 'EISDIR' | 'EEXIST'): void => {
    if (isStructural(path)) throw new StorageError(code, `${path} is a mount point`);
  };

  const adapter: StorageAdapter = {
    stat,

    lockKey(raw: string): string {
      const path = resolvePath('/', raw);
      const r = route(path);
      // Structural directories belong to no mounted adapter: this mount table is their owner.
      if (r === undefined || isStructural(path)) return instanceLockKey(mounts, path);
      return lockKeyOf(r.mount.adapter, r.inner);
    },

    async *list(raw: string, opts?: { signal?: AbortSignal }): AsyncIterable<FileStat> {
      const dir = resolvePath('/', raw);
      const extra = mountedChildren(dir);
      const r = route(dir);
      if (r === undefined && extra.size === 0) throw new StorageError('ENOENT', dir);
      if (r !== undefined) {
        try {
          for await (const entry of r.mount.adapter.list(r.inner, opts)) {
            if (!extra.has(entry.name)) yield outer(r.mount, entry);
          }
        } catch (err) {
          if (!(extra.size > 0 && isStorageError(err, 'ENOENT'))) throw err;
        }
      }
      for (const name of extra) yield await stat(joinPath(dir, name));
    },

    read(path: string, opts?: ReadOptions): AsyncIterable<Uint8Array> {
      try {
        if (isStructural(path)) return failing(new StorageError('EISDIR', path));
        const r = routeOrThrow(path);
        return r.mount.adapter.read(r.inner, opts);
      } catch (err) {
        // A NUL in the path: report it when the caller iterates, like every other read error.
        return failing(err);
      }
    },

    async write(
      path: string,
      data: AsyncIterable<Uint8Array>,
      opts?: WriteOptions,
    ): Promise<WriteResult> {
      refuseStructural(path, 'EISDIR');
      const r = routeOrThrow(path);
      return r.mount.adapter.write(r.inner, data, opts);
    },

    async mkdir(path: string): Promise<void> {
      refuseStructural(path, 'EEXIST');
      const r = routeOrThrow(path);
      await r.mount.adapter.mkdir(r.inner);
    },

    async rmdir(path: string): Promise<void> {
      refuseStructural(path, 'EACCES');
      const r = routeOrThrow(path);
      await r.mount.adapter.rmdir(r.inner);
    },

    async delete(path: string): Promise<void> {
      refuseStructural(path, 'EISDIR');
      const r = routeOrThrow(path);
      await r.mount.adapter.delete(r.inner);
    },

    async rename(from: string, to: string): Promise<void> {
      refuseStructural(from, 'EACCES');
      refuseStructural(to, 'EACCES');
      const src = routeOrThrow(from);
      const dst = routeOrThrow(to);
      if (src.mount === dst.mount) {
        await src.mount.adapter.rename(src.inner, dst.inner);
        return;
      }
      const source = await src.mount.adapter.stat(src.inner);
      if (source.type === 'dir') {
        throw new StorageError('ENOTSUP', `cannot move directory ${from} across mounts`);
      }
      const target = await dst.mount.adapter.stat(dst.inner).catch((err: unknown) => {
        if (isStorageError(err, 'ENOENT')) return undefined;
        throw err;
      });
      if (target?.type === 'dir') throw new StorageError('EISDIR', to);
      await dst.mount.adapter.write(dst.inner, src.mount.adapter.read(src.inner), {
        uploadMode: 'atomic',
      });
      await src.mount.adapter.delete(src.inner);
    },
  };

  if (mounts.some((m) => m.adapter.openRead !== undefined)) {
    adapter.openRead = async (path: string, opts?: ReadOptions): Promise<OpenedRead> => {
      refuseStructural(path, 'EISDIR');
      const r = routeOrThrow(path);
      const inner = r.mount.adapter;
      if (inner.openRead !== undefined) {
        const opened = await inner.openRead(r.inner, opts);
        return { stat: outer(r.mount, opened.stat), chunks: opened.chunks };
      }
      const st = outer(r.mount, await inner.stat(r.inner));
      if (st.type === 'dir') throw new StorageError('EISDIR', path);
      // Nothing is opened until the caller iterates: returning early leaves nothing open.
      return { stat: st, chunks: lazyChunks(inner.read(r.inner, opts)) };
    };
  }
  if (mounts.some((m) => m.adapter.setMtime !== undefined)) {
    adapter.setMtime = async (path: string, mtime: Date): Promise<void> => {
      refuseStructural(path, 'EACCES');
      const r = routeOrThrow(path);
      if (r.mount.adapter.setMtime === undefined) throw new StorageError('ENOTSUP', path);
      await r.mount.adapter.setMtime(r.inner, mtime);
    };
  }
  if (mounts.some((m) => m.adapter.chmod !== undefined)) {
    adapter.chmod = async (path: string, mode: number): Promise<void> => {
      refuseStructural(path, 'EACCES');
      const r = routeOrThrow(path);
      if (r.mount.adapter.chmod === undefined) throw new StorageError('ENOTSUP', path);
      await r.mount.adapter.chmod(r.inner, mode);
    };
  }
  if (mounts.some((m) => m.adapter.sweepTemporary !== undefined)) {
    adapter.sweepTemporary = async (options?: SweepOptions): Promise<SweepResult> => {
      const total: SweepResult = { removed: 0, bytes: 0, failed: 0, complete: true };
      for (const a of new Set(mounts.map((m) => m.adapter))) {
        const r = await a.sweepTemporary?.(options);
        if (r === undefined) continue;
        total.removed += r.removed;
        total.bytes += r.bytes;
        total.failed += r.failed;
        total.complete &&= r.complete;
      }
      return total;
    };
  }
  adapter.dispose = async (): Promise<void> => {
    const unique = new Set(mounts.map((m) => m.adapter));
    const results = await Promise.allSettled([...unique].map(async (a) => a.dispose?.()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  };
  return adapter;
}

async function* lazyChunks(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* source;
}

async function* failing(err: unknown): AsyncIterable<Uint8Array> {
  yield* [];
  throw err;
}
