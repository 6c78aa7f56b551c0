import { StorageError, type StorageAdapter } from '@ftpkit/storage';
import { describeStorageAdapter, seedThrough } from '@ftpkit/storage/testing';
import { memoryStorage } from './memory-storage.js';

/** A read-only view of `inner`: every change is refused, reads go through. */
function readOnlyStorage(inner: StorageAdapter): StorageAdapter {
  const refuse = (): Promise<never> =>
    Promise.reject(new StorageError('EACCES', 'read-only storage'));
  return {
    stat: (path) => inner.stat(path),
    list: (dir, opts) => inner.list(dir, opts),
    read: (path, opts) => inner.read(path, opts),
    write: refuse,
    mkdir: refuse,
    rmdir: refuse,
    delete: refuse,
    rename: refuse,
  };
}

describeStorageAdapter(
  'readOnlyStorage(memoryStorage()) seeded through the inner adapter',
  () => {
    const inner = memoryStorage();
    return { adapter: readOnlyStorage(inner), seed: (entries) => seedThrough(inner, entries) };
  },
  { readOnly: true, capabilities: { setMtime: false, chmod: false, dispose: false }, bigDirEntries: 2_000 },
);
