import { posix } from 'node:path';
import { resolvePath, type StorageAdapter } from '@ftpkit/storage';
import { fsStorage, type FsPromisesApi } from '@ftpkit/storage-local';
import { Volume, createFsFromVolume } from 'memfs';
import { releasingFs } from './memory-release.js';

/** Options of `memoryStorage`. */
export interface MemoryStorageOptions {
  /** Initial files: virtual path -> content (UTF-8 string or bytes). Parent dirs are created. */
  files?: Readonly<Record<string, string | Uint8Array>>;
  /** An existing memfs volume to serve (shared with the caller). Default: a new, private one. */
  volume?: Volume;
  /** Directory inside the volume that clients see as `/`; created if missing. Default `/`. */
  root?: string;
  /** Refuse every change with `EACCES`. Default false. */
  readOnly?: boolean;
  /** Permission bits `chmod` always clears (see `fsStorage`). Default 0o022. */
  chmodMask?: number;
}

/**
 * An in-memory tree on memfs as a storage adapter: the same semantics as `localStorage`
 * (containment, atomic and resumable uploads, `mode`), because it runs the same fs-backed core
 * on memfs's promises API. Capabilities: `setMtime` and `chmod`. Everything lives in the heap.
 */
export function memoryStorage(options: MemoryStorageOptions = {}): StorageAdapter {
  const volume = options.volume ?? new Volume();
  const fs = createFsFromVolume(volume);
  const root = resolvePath('/', options.root ?? '/');
  fs.mkdirSync(root, { recursive: true });
  for (const [path, content] of Object.entries(options.files ?? {})) {
    const target = posix.join(root, resolvePath('/', path));
    fs.mkdirSync(posix.dirname(target), { recursive: true });
    fs.writeFileSync(target, typeof content === 'string' ? content : Buffer.from(content));
  }
  return fsStorage({
    lockScope: volumeScope(volume),
    fs: releasingFs(keepMtimeOnChmod(fs.promises as unknown as FsPromisesApi), volume),
    constants: fs.constants,
    path: posix,
    root,
    readOnly: options.readOnly,
    chmodMask: options.chmodMask,
    // There is no device to flush.
    syncBeforeRename: false,
  });
}

const volumeIds = new WeakMap<Volume, number>();
let nextVolumeId = 1;

/** One scope per volume: adapters sharing a volume (per-user roots) agree on lock keys. */
function volumeScope(volume: Volume): string {
  let id = volumeIds.get(volume);
  if (id === undefined) {
    id = nextVolumeId++;
    volumeIds.set(volume, id);
  }
  return `memfs#${id}`;
}

/** memfs's chmod also sets mtime (a disk only touches ctime): put the times back, as MFMT set them. */
function keepMtimeOnChmod(api: FsPromisesApi): FsPromisesApi {
  const chmod = async (path: string, mode: number): Promise<void> => {
    const before = await api.stat(path);
    await api.chmod(path, mode);
    await api.utimes(path, before.atime, before.mtime);
  };
  return Object.create(api, { chmod: { value: chmod } }) as FsPromisesApi;
}

