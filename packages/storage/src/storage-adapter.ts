/** What a path is. Symlinks are reported as what they point to unless the adapter exposes them. */
export type FileType = 'file' | 'dir' | 'symlink';

/** Metadata of one entry. `path` is absolute and virtual (`/a/b.txt`); `name` its last segment. */
export interface FileStat {
  name: string;
  path: string;
  type: FileType;
  size: number;
  mtime: Date;
  /** Unix permission bits (e.g. 0o644) when the adapter knows them. */
  mode?: number;
  /** A stable identity for the MLSx `unique` fact when the adapter has one. */
  unique?: string;
  /** Symlink target when `type` is 'symlink'. */
  target?: string;
}

export interface ReadOptions {
  /** Byte offset to start from (REST). Default 0. */
  start?: number;
  signal?: AbortSignal;
}

/** How a write lands: `atomic` replaces the target only on a clean end; `resumable` writes in place. */
export type UploadMode = 'atomic' | 'resumable';

/** What {@link StorageAdapter.sweepTemporary} may do. */
export interface SweepOptions {
  /** Stops the sweep (a time limit): what was removed so far stays removed, the rest is left. */
  signal?: AbortSignal;
}

/** What a sweep of leftover temporary uploads found. */
export interface SweepResult {
  /** Leftovers removed (temporary files, incomplete multipart uploads). */
  removed: number;
  /** Their bytes, where the adapter knows them. */
  bytes: number;
  /** Leftovers that could not be removed (e.g. permissions). */
  failed: number;
  /** False when the sweep stopped (signal, a limit) before it had looked everywhere. */
  complete: boolean;
}

export interface WriteOptions {
  /** `truncate` (STOR) or `append` (APPE). Default `truncate`. */
  mode?: 'truncate' | 'append';
  /** Write from this offset without truncating what follows (REST + STOR). */
  start?: number;
  /** Default `resumable`. */
  uploadMode?: UploadMode;
  signal?: AbortSignal;
}

export interface WriteResult {
  /** Bytes consumed from the source and stored. */
  bytes: number;
}

/**
 * The contract every storage backend implements. All paths are absolute virtual paths already
 * normalised by `resolvePath`. Every failure is a `StorageError`.
 * Optional members are capabilities: the server advertises in FEAT only what exists.
 */
export interface StorageAdapter {
  stat(path: string): Promise<FileStat>;
  /** Entries of a directory, streamed: a huge directory never has to sit in memory. */
  list(dir: string, opts?: { signal?: AbortSignal }): AsyncIterable<FileStat>;
  read(path: string, opts?: ReadOptions): AsyncIterable<Uint8Array>;
  /**
   * Consumes `data`; never reports success for a source that errored or for a `signal` that
   * aborted before the write committed. The commit (atomic: the target replaced; resumable: the
   * write reported done) happens only after `data` ended cleanly and `signal`, checked at the last
   * moment before it, was not aborted; an atomic write that does not commit leaves the old content
   * (or absence) and no temporary entry behind.
   */
  write(path: string, data: AsyncIterable<Uint8Array>, opts?: WriteOptions): Promise<WriteResult>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  delete(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** MFMT. */
  setMtime?(path: string, mtime: Date): Promise<void>;
  /** SITE CHMOD. */
  chmod?(path: string, mode: number): Promise<void>;
  /**
   * Removes temporary leftovers of uploads that a crash or kill (of this program) interrupted:
   * what `write` never got to clean up. Run at start-up, before or while serving; each adapter
   * documents which leftovers it recognises and how it avoids removing uploads still running.
   */
  sweepTemporary?(options?: SweepOptions): Promise<SweepResult>;
  /**
   * The identity of the bytes behind `path`, for the server's per-path locks: two adapters (or
   * two paths) that return the same key serve the same file, e.g. `file:/srv/ftp/a.txt` for a
   * user rooted at `/srv/ftp` and for one rooted at `/srv` asking for `/ftp/a.txt`. Synchronous
   * and free of I/O. Without it the server keys on the adapter instance and the virtual path.
   */
  lockKey?(path: string): string;
  /** Release handles, clients, timers. */
  dispose?(): Promise<void>;
}
