import type { StorageAdapter } from './storage-adapter.js';

/** The optional members of `StorageAdapter`; each one present is a capability. */
export type StorageCapability = 'setMtime' | 'chmod' | 'dispose';

/** Which optional members an adapter has; the server derives FEAT (MFMT, SITE CHMOD) from this. */
export type StorageCapabilities = Record<StorageCapability, boolean>;

/** An adapter narrowed to one that has the optional member `C`. */
export type StorageAdapterWith<C extends StorageCapability> = StorageAdapter &
  Required<Pick<StorageAdapter, C>>;

/** True when `adapter` implements the optional member `capability`. */
export function hasCapability<C extends StorageCapability>(
  adapter: StorageAdapter,
  capability: C,
): adapter is StorageAdapterWith<C> {
  return typeof adapter[capability] === 'function';
}

/** All capabilities of `adapter` at once, e.g. `{ setMtime: true, chmod: false, dispose: true }`. */
export function capabilitiesOf(adapter: StorageAdapter): StorageCapabilities {
  return {
    setMtime: hasCapability(adapter, 'setMtime'),
    chmod: hasCapability(adapter, 'chmod'),
    dispose: hasCapability(adapter, 'dispose'),
  };
}
