import { StorageError, type StorageAdapter } from '@ftpkit/storage';
import { describeStorageAdapter, seedThrough } from '@ftpkit/storage/testing';
import { memoryStorage } from '@ftpkit/storage-memory';

// A read-only view: reads go through, every change is refused.
function readOnly(inner: StorageAdapter): StorageAdapter {
  const refuse = () => Promise.reject(new StorageError('EACCES', 'read-only'));
  return {
    stat: (path) => inner.stat(path),
    list: (dir, opts) => inner.list(dir, opts),
    read: (path, opts) => inner.read(path, opts),
    write: refuse, mkdir: refuse, rmdir: refuse, delete: refuse, rename: refuse,
  };
}

describeStorageAdapter('readOnly(memoryStorage())', () => {
  const inner = memoryStorage();
  // The suite builds each test's files through seed, behind the read-only adapter's back.
  return { adapter: readOnly(inner), seed: (entries) => seedThrough(inner, entries) };
}, { readOnly: true, bigDirEntries: 2_000 });
