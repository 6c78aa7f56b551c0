import { constants, existsSync, readFileSync, readlinkSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { StorageAdapter } from '@ftpkit/storage';
import type { FsFileHandle, FsPromisesApi } from './fs-api.js';
import { fsStorage } from './fs-storage.js';

/** Options of `localStorage`. */
export interface LocalStorageOptions {
  /** Directory on disk that clients see as `/`. Must exist; nothing outside it is reachable. */
  root: string;
  /** Refuse every change (write, mkdir, rmdir, delete, rename, setMtime, chmod) with `EACCES`. */
  readOnly?: boolean;
  /** Bytes per read chunk and per batched write. Default 1 MiB. */
  chunkBytes?: number;
  /** fsync an atomic upload before renaming it over the target. Default true. */
  syncBeforeRename?: boolean;
  /**
   * Permission bits SITE CHMOD (`chmod`) always clears: a client can never make a file more open
   * than the admin's umask policy makes new files. Default: the process umask (from
   * /proc/self/status; 0o022 where that cannot be read). `chmod` refuses setuid, setgid and sticky
   * (any mode above 0o777) with `EINVAL` whatever this says.
   */
  chmodMask?: number;
}

/** The process umask, read without changing it (`process.umask()` with no argument briefly sets 0). */
export function processUmask(): number {
  try {
    const m = /^Umask:\s*([0-7]{1,4})$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m?.[1] !== undefined) return Number.parseInt(m[1], 8) & 0o777;
  } catch {
    // Not Linux (or no /proc): fall back to the common default.
  }
  return 0o022;
}

/** Linux names every open descriptor's file in /proc/self/fd. */
const HAVE_PROC_FD = existsSync('/proc/self/fd');

/**
 * Where the kernel says an open file lies, links resolved (Linux: `/proc/self/fd/N`): what
 * `localStorage` gives `fsStorage` as `openedPath` where /proc is mounted. Read synchronously:
 * procfs names an open descriptor from memory, whatever filesystem the file is on, so there is no
 * disk or server to wait for, and a threadpool round trip per RETR is saved.
 */
export function procOpenedPath(handle: FsFileHandle): Promise<string> {
  if (handle.fd === undefined) return Promise.reject(new Error('no descriptor'));
  try {
    return Promise.resolve(readlinkSync(`/proc/self/fd/${handle.fd}`));
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * A directory on local disk as a storage adapter. Symlinks that lead outside `root` are refused
 * with `EACCES` (checked on the real path, opened with `O_NOFOLLOW`); `stat` reports the Unix
 * permission bits as `mode`. Capabilities: `setMtime` (MFMT) and `chmod` (SITE CHMOD: permission
 * bits only, cleared by `chmodMask`).
 */
export function localStorage(options: LocalStorageOptions): StorageAdapter {
  return fsStorage({
    fs: fsp as unknown as FsPromisesApi,
    constants,
    path,
    root: path.resolve(options.root),
    readOnly: options.readOnly,
    chunkBytes: options.chunkBytes,
    syncBeforeRename: options.syncBeforeRename,
    chmodMask: options.chmodMask ?? processUmask(),
    ...(HAVE_PROC_FD ? { openedPath: procOpenedPath } : {}),
  });
}
