import { randomBytes } from 'node:crypto';
import {
  StorageError,
  basename,
  joinPath,
  pathSegments,
  resolvePath,
  storageErrorFromErrno,
  type FileStat,
  type ReadOptions,
  type StorageAdapter,
  type SweepOptions,
  type SweepResult,
  type WriteOptions,
  type WriteResult,
} from '@ftpkit/storage';
import type { FsConstants, FsDir, FsFileHandle, FsPromisesApi, FsStats, PathApi } from './fs-api.js';

/** Prefix of the hidden temporary file an atomic upload writes before it renames. Never listed. */
export const UPLOAD_TEMP_PREFIX = '.ftpkit-upload-';

/** Directories a start-up sweep visits at most (a bound on its work; it reports `complete: false`). */
export const SWEEP_MAX_DIRECTORIES = 100_000;

/** Default read chunk and write batch: 1 MiB (measured against 64 KiB, see README). */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

/** Options of `fsStorage`: the filesystem to use and the directory to serve. */
export interface FsStorageOptions {
  /** The filesystem API (node:fs/promises or memfs's `vol.promises`). */
  fs: FsPromisesApi;
  /** Open flags and copy modes of that filesystem. */
  constants: FsConstants;
  /** Host path helpers matching `fs`. */
  path: PathApi;
  /** Host directory that is `/` to clients. Must exist. */
  root: string;
  /** Refuse every change with `EACCES`. Default false. */
  readOnly?: boolean;
  /** Bytes per read chunk and per batched write. Default 1 MiB. */
  chunkBytes?: number;
  /** Flush file data to the device before an atomic rename. Default true. */
  syncBeforeRename?: boolean;
  /**
   * Permission bits `chmod` always clears, like a umask: chmod can never grant more than this
   * policy allows. Default 0o022 (no group or world write).
   */
  chmodMask?: number;
  /**
   * Names the filesystem in `lockKey` (`<scope>:<host path>`): adapters with the same scope and
   * overlapping roots agree on which file a path is. Default `file` (the host's disk).
   */
  lockScope?: string;
  /**
   * The host path of the file an open handle refers to, as the kernel knows it (Linux:
   * `/proc/self/fd/N`). With it, a read opens the path at once and checks where the opened file
   * lies, instead of resolving the path first (fewer filesystem round trips per file, and no
   * window between the check and the open). Without it, reads resolve the path first.
   */
  openedPath?: (handle: FsFileHandle) => Promise<string>;
}

/** Default {@link FsStorageOptions.chmodMask}: no group or world write, as the usual umask. */
export const DEFAULT_CHMOD_MASK = 0o022;

/** Marks an error that came out of the caller's data source, so it passes through unchanged. */
class SourceFailure {
  constructor(readonly error: unknown) {}
}

/** Marks an abort, carrying the signal's reason. */
class Aborted {
  constructor(readonly reason: unknown) {}
}

/**
 * A `StorageAdapter` over a directory of any node:fs-compatible filesystem.
 *
 * Theory of operation — containment: every virtual path is normalised again (adapters never trust
 * callers), joined below the real path of the root, and the real path (`realpath`) of its parent
 * must lie inside the root, else `EACCES`. Operations that follow the last component (stat, read,
 * list, write, setMtime, chmod) also resolve it and refuse a target outside the root or a dangling
 * link (writing through it would create a file outside); opens use `O_NOFOLLOW`, so a component
 * swapped for a symlink after the check fails with `ELOOP` (-> `EACCES`). Operations on the entry
 * itself (delete, rmdir, rename) act on the link, never on its target.
 *
 * chmod: permission bits only (a mode above 0o777, i.e. setuid/setgid/sticky, is `EINVAL`), and
 * the bits of `chmodMask` are always cleared, so a client never grants more than the admin's
 * umask policy.
 *
 * Writes: `resumable` opens the target in place (truncating only for a plain STOR; with `start`
 * it writes from the offset and keeps the rest; `append` appends) and stores every byte consumed
 * before a source error or abort. `atomic` writes a hidden `.ftpkit-upload-<random>` in the target's
 * directory (a copy of the old file first when `start`/`append` need its bytes), syncs it and
 * renames it over the target only on a clean end; on failure it is removed.
 */
export function fsStorage(options: FsStorageOptions): StorageAdapter {
  const { fs, constants: c, path: hostPath } = options;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const readOnly = options.readOnly ?? false;
  const syncBeforeRename = options.syncBeforeRename ?? true;
  const chmodMask = options.chmodMask ?? DEFAULT_CHMOD_MASK;
  if (!Number.isInteger(chmodMask) || chmodMask < 0 || chmodMask > 0o777) throw new RangeError(`chmodMask must be 0-0o777, got ${chmodMask}`);
  const nonBlock = c.O_NONBLOCK ?? 0;
  let rootReal: Promise<string> | undefined;

  const root = (): Promise<string> => {
    rootReal ??= fs.realpath(options.root);
    return rootReal.catch((err: unknown) => {
      rootReal = undefined;
      throw storageErrorFromErrno(err, '/');
    });
  };

  const inside = (rootPath: string, real: string): boolean => {
    const prefix = rootPath.endsWith(hostPath.sep) ? rootPath : rootPath + hostPath.sep;
    return real === rootPath || real.startsWith(prefix);
  };

  const normal = (raw: string): string => {
    const v = resolvePath('/', raw);
    // In-flight atomic uploads are invisible and untouchable through the adapter.
    if (v.includes(`/${UPLOAD_TEMP_PREFIX}`)) throw new StorageError('EACCES', `reserved name: ${v}`);
    return v;
  };

  const guardWrite = (v: string): void => {
    if (readOnly) throw new StorageError('EACCES', `read-only storage: ${v}`);
  };

  /** Real parent directory (inside the root) and the last segment; undefined for the root. */
  const parentOf = async (v: string): Promise<{ parent: string; name: string } | undefined> => {
    const segments = pathSegments(v);
    const name = segments.pop();
    if (name === undefined) return undefined;
    const r = await root();
    let parent: string;
    try {
      parent = await fs.realpath(hostPath.join(r, ...segments));
    } catch (err) {
      throw storageErrorFromErrno(err, v);
    }
    if (!inside(r, parent)) throw new StorageError('EACCES', `outside the root: ${v}`);
    return { parent, name };
  };

  /** Real host path of an existing entry, following a last-component link that stays inside. */
  const existing = async (v: string): Promise<string> => {
    const segments = pathSegments(v);
    const r = await root();
    if (segments.length === 0) return r;
    // One realpath resolves every component: if the result lies inside the root, so does the
    // entry, whatever links led there (one fs call instead of two on every stat and read).
    let real: string;
    try {
      real = await fs.realpath(hostPath.join(r, ...segments));
    } catch (err) {
      // Missing: the parent check tells "outside the root" (EACCES) from "not there" (ENOENT),
      // so nothing about paths outside the root leaks.
      await parentOf(v);
      throw storageErrorFromErrno(err, v);
    }
    if (!inside(r, real)) throw new StorageError('EACCES', `outside the root: ${v}`);
    return real;
  };

  /** Host path to create or overwrite, plus what is there now (following links inside the root). */
  const target = async (v: string): Promise<{ path: string; stats: FsStats | undefined }> => {
    const at = await parentOf(v);
    if (at === undefined) throw new StorageError('EISDIR', v);
    const host = hostPath.join(at.parent, at.name);
    let lst: FsStats;
    try {
      lst = await fs.lstat(host);
    } catch (err) {
      const e = storageErrorFromErrno(err, v);
      if (e.code === 'ENOENT') return { path: host, stats: undefined };
      throw e;
    }
    if (!lst.isSymbolicLink()) return { path: host, stats: lst };
    // A dangling link counts as outside: writing through it would create its target.
    const real = await fs.realpath(host).catch(() => undefined);
    if (real === undefined || !inside(await root(), real)) {
      throw new StorageError('EACCES', `link leaves the root: ${v}`);
    }
    return { path: real, stats: await fs.stat(real) };
  };

  /**
   * Opens an existing entry for reading (`O_NOFOLLOW`, non-blocking so a FIFO cannot hang the
   * open) and fstats it. With `openedPath`, the path is opened as given and the file that was
   * actually opened must lie inside the root; a last-component link (`ELOOP`), a missing entry
   * or a file outside fall back to resolving the path first, which tells the error apart.
   */
  const openRead = async (v: string): Promise<{ fh: FsFileHandle; stats: Promise<FsStats> }> => {
    const flags = c.O_RDONLY | c.O_NOFOLLOW | nonBlock;
    const segments = pathSegments(v);
    if (options.openedPath !== undefined && segments.length > 0) {
      const r = await root();
      const fh = await fs.open(hostPath.join(r, ...segments), flags).catch(() => undefined);
      if (fh !== undefined) {
        const stats = fh.stat();
        stats.catch(() => undefined);
        const real = await options.openedPath(fh).catch(() => undefined);
        if (real !== undefined && inside(r, real)) return { fh, stats };
        await stats.catch(() => undefined);
        await fh.close().catch(() => undefined);
      }
    }
    const fh = await wrap(v, async () => fs.open(await existing(v), flags));
    const stats = fh.stat();
    stats.catch(() => undefined);
    return { fh, stats };
  };

  /** The entry itself (a link is not followed): for delete, rmdir, rename. */
  const entry = async (v: string): Promise<string> => {
    const at = await parentOf(v);
    if (at === undefined) throw new StorageError('EACCES', 'the root cannot be changed');
    return hostPath.join(at.parent, at.name);
  };

  const toStat = (v: string, st: FsStats): FileStat => ({
    name: basename(v),
    path: v,
    type: st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'file',
    size: st.isDirectory() ? 0 : st.size,
    mtime: st.mtime,
    mode: st.mode & 0o7777,
    unique: `${st.dev.toString(16)}-${st.ino.toString(16)}`,
  });

  const wrap = async <T>(v: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw storageErrorFromErrno(err, v);
    }
  };

  const lockScope = options.lockScope ?? 'file';
  const adapter: StorageAdapter = {
    // The configured root, not its realpath: synchronous, and equal for adapters given equal roots.
    lockKey: (path: string): string => `${lockScope}:${hostPath.join(options.root, ...pathSegments(resolvePath('/', path)))}`,

    async stat(path: string): Promise<FileStat> {
      const v = normal(path);
      const segments = pathSegments(v);
      if (segments.length === 0) return wrap(v, async () => toStat(v, await fs.stat(await root())));
      // The stat runs beside the containment check (one round trip of latency instead of two);
      // its result is used only once the real path proved to lie inside the root.
      const host = hostPath.join(await root(), ...segments);
      const facts = fs.stat(host);
      facts.catch(() => undefined);
      await existing(v);
      return wrap(v, async () => toStat(v, await facts));
    },

    async *list(path: string, opts?: { signal?: AbortSignal }): AsyncIterable<FileStat> {
      const v = normal(path);
      const signal = opts?.signal;
      const r = await root();
      const dirPath = await wrap(v, () => existing(v));
      const dir = await wrap(v, () => fs.opendir(dirPath, { bufferSize: 256 }));
      // The Dir's iterator closes the directory when the loop ends, breaks or throws.
      for await (const dirent of dir) {
        signal?.throwIfAborted();
        if (dirent.name.startsWith(UPLOAD_TEMP_PREFIX)) continue;
        const child = joinPath(v, dirent.name);
        const host = hostPath.join(dirPath, dirent.name);
        let st: FsStats;
        try {
          st = await fs.lstat(host);
          if (st.isSymbolicLink()) {
            const real = await fs.realpath(host).catch(() => undefined);
            // A link leaving the root is shown as a link without its target or facts.
            if (real === undefined || !inside(r, real)) {
              yield { name: dirent.name, path: child, type: 'symlink', size: 0, mtime: st.mtime };
              continue;
            }
            st = await fs.stat(real);
          }
        } catch {
          // Removed between readdir and lstat: it is simply not there any more.
          continue;
        }
        yield toStat(child, st);
      }
    },

    async *read(path: string, opts?: ReadOptions): AsyncIterable<Uint8Array> {
      const v = normal(path);
      const signal = opts?.signal;
      signal?.throwIfAborted();
      let pos = opts?.start ?? 0;
      if (!Number.isSafeInteger(pos) || pos < 0) throw new StorageError('EINVAL', `bad offset ${pos}`);
      const { fh, stats } = await openRead(v);
      // Close at once on abort, even while the consumer sits on a chunk and never resumes us.
      const onAbort = (): void => void fh.close().catch(() => undefined);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const st = await wrap(v, () => stats);
        if (st.isDirectory()) throw new StorageError('EISDIR', v);
        // FIFOs, sockets and devices: reading one could block or never end.
        if (!st.isFile()) throw new StorageError('EACCES', `not a regular file: ${v}`);
        // One read ahead: the next chunk comes off the disk while the consumer sends this one.
        const readAt = (at: number): Promise<{ chunk: Uint8Array; short: boolean }> => {
          // Up to one byte past the size seen: an unchanged file then ends in a short read (no
          // extra read to learn it), and a small file costs a buffer of its own size, not 64 KiB
          // (garbage collection follows the bytes allocated). Past that size: 64 KiB steps.
          const want = Math.min(chunkBytes, at < st.size ? st.size - at + 1 : 64 * 1024);
          const buf = Buffer.allocUnsafeSlow(want);
          const read = fh.read(buf, 0, want, at).then(
            ({ bytesRead: n }) => (n === want ? { chunk: buf, short: false } : { chunk: buf.subarray(0, n), short: true }),
            (err: unknown) => {
              signal?.throwIfAborted();
              throw storageErrorFromErrno(err, v);
            },
          );
          // Handled here too: it may fail while the consumer still holds the previous chunk.
          read.catch(() => undefined);
          return read;
        };
        let next: Promise<{ chunk: Uint8Array; short: boolean }> | undefined = readAt(pos);
        try {
          while (next !== undefined) {
            const { chunk, short } = await next;
            next = undefined;
            signal?.throwIfAborted();
            if (chunk.length === 0) return;
            pos += chunk.length;
            // A short read of a regular file is its end: no extra read to learn it.
            if (!short) next = readAt(pos);
            yield chunk;
          }
        } finally {
          // Never close the handle under a read still in flight.
          await next?.catch(() => undefined);
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        // Not awaited: nothing waits on a read-only descriptor's close, and the consumer (a
        // transfer's 226) should not wait one more filesystem round trip for it.
        void fh.close().catch(() => undefined);
      }
    },

    async write(path: string, data: AsyncIterable<Uint8Array>, opts: WriteOptions = {}): Promise<WriteResult> {
      const v = normal(path);
      guardWrite(v);
      const signal = opts.signal;
      signal?.throwIfAborted();
      const append = opts.mode === 'append';
      const start = append ? undefined : opts.start;
      if (start !== undefined && (!Number.isSafeInteger(start) || start < 0)) {
        throw new StorageError('EINVAL', `bad offset ${start}`);
      }
      const t = await wrap(v, () => target(v));
      if (t.stats?.isDirectory()) throw new StorageError('EISDIR', v);
      if (t.stats !== undefined && !t.stats.isFile()) throw new StorageError('EACCES', `not a regular file: ${v}`);
      // An offset past the end would leave a hole: a sparse file as large as the client asks.
      if (start !== undefined && start > (t.stats?.size ?? 0)) throw new StorageError('EINVAL', `offset ${start} is past the end`);
      try {
        if (opts.uploadMode === 'atomic') return { bytes: await writeAtomic(t.path, t.stats, data, append, start, signal) };
        let flags = c.O_WRONLY | c.O_CREAT | c.O_NOFOLLOW | nonBlock;
        if (append) flags |= c.O_APPEND;
        else if (start === undefined) flags |= c.O_TRUNC;
        const fh = await fs.open(t.path, flags, 0o666);
        try {
          const bytes = await pump(fh, data, append ? null : (start ?? 0), signal, true);
          // The bytes stay (a partial REST/APPE can resume), but an aborted upload is never a success.
          await commitGate(signal);
          return { bytes };
        } finally {
          await fh.close().catch(() => undefined);
        }
      } catch (err) {
        throw unwrapWriteError(err, v);
      }
    },

    async mkdir(path: string): Promise<void> {
      const v = normal(path);
      guardWrite(v);
      const at = await parentOf(v);
      if (at === undefined) throw new StorageError('EEXIST', v);
      await wrap(v, () => fs.mkdir(hostPath.join(at.parent, at.name)));
    },

    async rmdir(path: string): Promise<void> {
      const v = normal(path);
      guardWrite(v);
      const host = await entry(v);
      try {
        await fs.rmdir(host);
      } catch (err) {
        const e = storageErrorFromErrno(err, v);
        // Some systems answer a non-empty rmdir with EEXIST.
        throw e.code === 'EEXIST' ? new StorageError('ENOTEMPTY', v, { cause: err }) : e;
      }
    },

    async delete(path: string): Promise<void> {
      const v = normal(path);
      guardWrite(v);
      if (v === '/') throw new StorageError('EISDIR', v);
      const host = await entry(v);
      try {
        await fs.unlink(host);
      } catch (err) {
        const e = storageErrorFromErrno(err, v);
        // unlink(dir) is EISDIR on Linux but EPERM (-> EACCES) on macOS and in some filesystems.
        if (e.code === 'EACCES' && (await fs.lstat(host).catch(() => undefined))?.isDirectory()) {
          throw new StorageError('EISDIR', v, { cause: err });
        }
        throw e;
      }
    },

    async rename(from: string, to: string): Promise<void> {
      const a = normal(from);
      const b = normal(to);
      guardWrite(a);
      const hostFrom = await entry(a);
      const hostTo = await entry(b);
      await wrap(a, async () => {
        // Moving a directory below itself: some filesystems report it late or oddly.
        if (b.startsWith(`${a}/`)) throw new StorageError('EINVAL', `${a} into itself`);
        // POSIX rename rules, checked up front because not every fs-compatible backend (memfs)
        // enforces them; the disk re-checks them atomically anyway.
        const src = await fs.lstat(hostFrom);
        const dst = await fs.lstat(hostTo).catch(() => undefined);
        if (dst?.isDirectory() && !src.isDirectory()) throw new StorageError('EISDIR', b);
        if (dst !== undefined && !dst.isDirectory() && src.isDirectory()) throw new StorageError('ENOTDIR', b);
        if (dst?.isDirectory() && src.isDirectory() && hostFrom !== hostTo) {
          const d = await fs.opendir(hostTo);
          let empty = true;
          for await (const _ of d) {
            empty = false;
            break;
          }
          if (!empty) throw new StorageError('ENOTEMPTY', b);
        }
        await fs.rename(hostFrom, hostTo);
      });
    },

    async setMtime(path: string, mtime: Date): Promise<void> {
      const v = normal(path);
      guardWrite(v);
      await wrap(v, async () => {
        const real = await existing(v);
        const st = await fs.stat(real);
        await fs.utimes(real, st.atime, mtime);
      });
    },

    async chmod(path: string, mode: number): Promise<void> {
      const v = normal(path);
      guardWrite(v);
      // Permission bits only: setuid/setgid/sticky from a client would be a privilege escalation.
      if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) throw new StorageError('EINVAL', `mode ${mode}: permission bits only`);
      await wrap(v, async () => fs.chmod(await existing(v), mode & ~chmodMask));
    },
  };

  /**
   * Every `.ftpkit-upload-*` file below the root last modified before the sweep began: the temp
   * files of atomic uploads a crash or SIGKILL left. Uploads running now (in this process or
   * another one writing the same tree) keep touching theirs, so they are left alone. Links are
   * not followed; at most {@link SWEEP_MAX_DIRECTORIES} directories are visited.
   */
  adapter.sweepTemporary = async (sweep: SweepOptions = {}): Promise<SweepResult> => {
    const cutoff = Date.now();
    const result: SweepResult = { removed: 0, bytes: 0, failed: 0, complete: true };
    if (readOnly) return result;
    const dirs = [await root()];
    let visited = 0;
    while (dirs.length > 0) {
      if (sweep.signal?.aborted || visited >= SWEEP_MAX_DIRECTORIES) {
        result.complete = false;
        break;
      }
      const dir = dirs.pop() as string;
      visited++;
      let entries: FsDir;
      try {
        entries = await fs.opendir(dir, { bufferSize: 256 });
      } catch {
        result.complete = false;
        continue;
      }
      for await (const dirent of entries) {
        if (sweep.signal?.aborted) {
          result.complete = false;
          break;
        }
        const host = hostPath.join(dir, dirent.name);
        const temp = dirent.name.startsWith(UPLOAD_TEMP_PREFIX);
        if (!temp && dirent.isDirectory !== undefined && !dirent.isDirectory()) continue;
        const st = await fs.lstat(host).catch(() => undefined);
        if (st === undefined) continue;
        if (st.isDirectory()) {
          dirs.push(host);
          continue;
        }
        if (!temp || !st.isFile() || st.mtime.getTime() >= cutoff) continue;
        try {
          await fs.unlink(host);
          result.removed++;
          result.bytes += st.size;
        } catch {
          result.failed++;
        }
      }
    }
    return result;
  };

  async function writeAtomic(
    finalPath: string,
    old: FsStats | undefined,
    data: AsyncIterable<Uint8Array>,
    append: boolean,
    start: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const temp = hostPath.join(hostPath.dirname(finalPath), UPLOAD_TEMP_PREFIX + randomBytes(8).toString('hex'));
    const keepOld = old !== undefined && (append || (start !== undefined && start > 0) || start === 0);
    try {
      if (keepOld) await fs.copyFile(finalPath, temp, c.COPYFILE_FICLONE);
      const flags = c.O_WRONLY | c.O_NOFOLLOW | (keepOld ? 0 : c.O_CREAT | c.O_EXCL);
      const fh = await fs.open(temp, flags, 0o666);
      let bytes: number;
      try {
        if (old !== undefined && !keepOld) await fh.chmod(old.mode & 0o7777);
        const at = append ? (old?.size ?? 0) : (start ?? 0);
        bytes = await pump(fh, data, at, signal, false);
        if (syncBeforeRename) await fh.datasync();
      } finally {
        await fh.close().catch(() => undefined);
      }
      // The commit point: a data EOF looks like a clean end even when the client died, and its
      // control connection closing (which aborts `signal`) may be seen only now.
      await commitGate(signal);
      await fs.rename(temp, finalPath);
      return bytes;
    } catch (err) {
      await fs.unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Moves `data` into `fh` from `position`, batching chunks into writes of about `chunkBytes`.
   * Pulls the next chunk only after the batch is written, so a slow disk slows the source.
   * With `keepConsumed`, bytes already taken from the source are written before an error is
   * re-thrown (resumable uploads); otherwise they are dropped.
   */
  async function pump(
    fh: FsFileHandle,
    data: AsyncIterable<Uint8Array>,
    position: number | null,
    signal: AbortSignal | undefined,
    keepConsumed: boolean,
  ): Promise<number> {
    const it = data[Symbol.asyncIterator]();
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let total = 0;
    let pos = position;
    let finished = false;

    // One batch is written while the next one gathers; `flush` waits for the previous write first.
    let writing: Promise<void> | undefined;
    const settle = async (): Promise<void> => {
      const w = writing;
      writing = undefined;
      await w;
    };
    const flush = async (): Promise<void> => {
      await settle();
      if (pendingBytes === 0) return;
      const buffers = pending;
      const n = pendingBytes;
      pending = [];
      pendingBytes = 0;
      const at = pos;
      if (pos !== null) pos += n;
      writing = writeAll(fh, buffers, n, at);
      writing.catch(() => undefined);
    };

    try {
      for (;;) {
        if (signal?.aborted) throw new Aborted(signal.reason);
        let step: IteratorResult<Uint8Array>;
        try {
          step = await (signal ? nextOrAbort(it, signal) : it.next());
        } catch (err) {
          if (err instanceof Aborted) throw err;
          finished = true;
          throw new SourceFailure(err);
        }
        if (step.done) {
          finished = true;
          break;
        }
        const chunk = step.value;
        if (chunk.byteLength === 0) continue;
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        total += chunk.byteLength;
        if (pendingBytes >= chunkBytes) await flush();
      }
      await flush();
      await settle();
      return total;
    } catch (err) {
      if (keepConsumed) await flush().catch(() => undefined);
      await settle().catch(() => undefined);
      // Stop the source; don't wait on it, it may be stuck in a read that never finishes.
      if (!finished) void Promise.resolve(it.return?.()).catch(() => undefined);
      throw err;
    }
  }

  return adapter;
}

/**
 * Waits one event-loop turn (so an abort already on its way, e.g. the control connection's EOF
 * queued behind the data connection's, is seen), then throws {@link Aborted} if `signal` fired.
 */
async function commitGate(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return;
  await new Promise((resolve) => setImmediate(resolve));
  if (signal.aborted) throw new Aborted(signal.reason);
}

/**
 * The source's next chunk, or a rejection with {@link Aborted} as soon as `signal` aborts (a stalled
 * source never finishes its read). A fresh listener per read: racing every read against one
 * long-lived promise would keep each chunk reachable from that promise until the upload ends.
 */
function nextOrAbort(it: AsyncIterator<Uint8Array>, signal: AbortSignal): Promise<IteratorResult<Uint8Array>> {
  if (signal.aborted) return Promise.reject(new Aborted(signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new Aborted(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    it.next().then(
      (step) => {
        signal.removeEventListener('abort', onAbort);
        resolve(step);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Writes every byte of `buffers`, looping over short writes. */
async function writeAll(fh: FsFileHandle, buffers: Uint8Array[], total: number, position: number | null): Promise<void> {
  let rest = buffers;
  let left = total;
  let pos = position;
  while (left > 0) {
    const { bytesWritten } = await fh.writev(rest, pos);
    if (bytesWritten <= 0) throw new StorageError('EIO', 'short write');
    left -= bytesWritten;
    if (pos !== null) pos += bytesWritten;
    if (left === 0) return;
    let skip = bytesWritten;
    const next: Uint8Array[] = [];
    for (const b of rest) {
      if (skip >= b.byteLength) {
        skip -= b.byteLength;
        continue;
      }
      next.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
    rest = next;
  }
}

function unwrapWriteError(err: unknown, v: string): unknown {
  if (err instanceof SourceFailure) return err.error;
  if (err instanceof Aborted) return err.reason;
  return storageErrorFromErrno(err, v);
}
