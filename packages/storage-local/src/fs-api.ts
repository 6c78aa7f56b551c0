/**
 * The part of `node:fs/promises` the fs-backed adapter uses. `node:fs/promises` itself satisfies
 * it, and so does memfs's `vol.promises`, which is how `@ftpkit/storage-memory` shares this code.
 */
/** The `fs.Stats` fields the adapter reads. */
export interface FsStats {
  dev: number;
  ino: number;
  mode: number;
  size: number;
  mtime: Date;
  atime: Date;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** A directory entry from `opendir`. */
export interface FsDirent {
  name: string;
  /** Entry type without a stat call (node and memfs both have these; a link is not followed). */
  isDirectory?(): boolean;
  isFile?(): boolean;
}

/** An open directory: iterating it closes it at the end, on break and on error. */
export interface FsDir extends AsyncIterable<FsDirent> {
  close(): Promise<void>;
}

/** The `FileHandle` methods the adapter uses. */
export interface FsFileHandle {
  /** The descriptor number (node and memfs both expose it). */
  readonly fd?: number;
  read(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  writev(buffers: Uint8Array[], position?: number | null): Promise<{ bytesWritten: number }>;
  stat(): Promise<FsStats>;
  chmod(mode: number): Promise<void>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

/** Open flags and copy modes (`fs.constants`). */
export interface FsConstants {
  O_RDONLY: number;
  O_WRONLY: number;
  O_CREAT: number;
  O_EXCL: number;
  O_TRUNC: number;
  O_APPEND: number;
  O_NOFOLLOW: number;
  /** Lets open() of a FIFO return at once, so it can be refused instead of blocking. */
  O_NONBLOCK?: number;
  COPYFILE_FICLONE: number;
}

/** The promise API the adapter calls; see the file comment. */
export interface FsPromisesApi {
  open(path: string, flags: number, mode?: number): Promise<FsFileHandle>;
  opendir(path: string, options?: { bufferSize?: number }): Promise<FsDir>;
  realpath(path: string): Promise<string>;
  stat(path: string): Promise<FsStats>;
  lstat(path: string): Promise<FsStats>;
  mkdir(path: string): Promise<unknown>;
  rmdir(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  copyFile(from: string, to: string, mode?: number): Promise<void>;
  utimes(path: string, atime: Date, mtime: Date): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
}

/** Host path operations: `node:path` for disk, `node:path/posix` for memfs. */
export interface PathApi {
  join(...parts: string[]): string;
  dirname(path: string): string;
  sep: string;
}
