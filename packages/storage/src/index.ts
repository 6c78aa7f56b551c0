export * from './storage-error.js';
export type * from './storage-adapter.js';
export * from './resolve-path.js';
export * from './mount-storage.js';
export * from './capabilities.js';
export * from './errno-error.js';
export * from './lock-key.js';
