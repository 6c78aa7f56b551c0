export * from './local-storage.js';
export * from './fs-storage.js';
export type * from './fs-api.js';
