import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { StorageAdapter } from '@ftpkit/storage';
import type { FsPromisesApi } from './fs-api.js';
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
}

/**
 * A directory on local disk as a storage adapter. Symlinks that lead outside `root` are refused
 * with `EACCES` (checked on the real path, opened with `O_NOFOLLOW`); `stat` reports the Unix
 * permission bits as `mode`. Capabilities: `setMtime` (MFMT) and `chmod` (SITE CHMOD).
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
  });
}
