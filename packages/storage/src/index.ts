export * from './storage-error.js';
export type * from './storage-adapter.js';
