import { resolvePath } from './resolve-path.js';
import type { StorageAdapter } from './storage-adapter.js';

const instanceIds = new WeakMap<object, number>();
let nextInstanceId = 1;

/** A process-wide number for an object, the identity of an adapter that names none itself. */
function instanceId(of: object): number {
  let id = instanceIds.get(of);
  if (id === undefined) {
    id = nextInstanceId++;
    instanceIds.set(of, id);
  }
  return id;
}

/** A lock key private to `owner` (an adapter or a mount table) for a virtual path. */
export function instanceLockKey(owner: object, path: string): string {
  return `instance#${instanceId(owner)}:${resolvePath('/', path)}`;
}

/**
 * The lock identity of `path` on `adapter`: its own {@link StorageAdapter.lockKey} when it has one,
 * else the adapter instance and the normalised virtual path (then two adapter objects over the
 * same files do not see each other's locks).
 */
export function lockKeyOf(adapter: StorageAdapter, path: string): string {
  const own = adapter.lockKey?.(path);
  return own ?? instanceLockKey(adapter, path);
}
