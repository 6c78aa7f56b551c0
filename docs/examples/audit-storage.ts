import type { StorageAdapter } from '@ftpkit/storage';

/** One change made through the adapter. */
export interface AuditEvent {
  op: 'write' | 'mkdir' | 'rmdir' | 'delete' | 'rename' | 'setMtime' | 'chmod';
  path: string;
  to?: string;
  bytes?: number;
}

/**
 * A storage adapter that passes every call to `inner` and reports each change that succeeded.
 * Reads are passed through untouched, so streaming and REST offsets keep working.
 */
export function auditStorage(inner: StorageAdapter, record: (event: AuditEvent) => void): StorageAdapter {
  const adapter: StorageAdapter = {
    stat: (path) => inner.stat(path),
    list: (dir, opts) => inner.list(dir, opts),
    read: (path, opts) => inner.read(path, opts),
    async write(path, data, opts) {
      const result = await inner.write(path, data, opts);
      record({ op: 'write', path, bytes: result.bytes });
      return result;
    },
    async mkdir(path) {
      await inner.mkdir(path);
      record({ op: 'mkdir', path });
    },
    async rmdir(path) {
      await inner.rmdir(path);
      record({ op: 'rmdir', path });
    },
    async delete(path) {
      await inner.delete(path);
      record({ op: 'delete', path });
    },
    async rename(from, to) {
      await inner.rename(from, to);
      record({ op: 'rename', path: from, to });
    },
  };
  // Optional members are capabilities (FEAT follows them): offer only what the inner adapter has.
  const { setMtime, chmod, dispose, lockKey } = inner;
  if (setMtime) {
    adapter.setMtime = async (path, mtime) => {
      await setMtime.call(inner, path, mtime);
      record({ op: 'setMtime', path });
    };
  }
  if (chmod) {
    adapter.chmod = async (path, mode) => {
      await chmod.call(inner, path, mode);
      record({ op: 'chmod', path });
    };
  }
  if (dispose) adapter.dispose = () => dispose.call(inner);
  // Same files, same locks: the server's per-path locks then meet the inner adapter's other users.
  if (lockKey) adapter.lockKey = (path) => lockKey.call(inner, path);
  return adapter;
}
