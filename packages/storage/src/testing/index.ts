export * from './describe-storage-adapter.js';
export * from './describe-path-escapes.js';
export * from './stream-helpers.js';
export * from './memory-probe.js';
export * from './hostile-paths.js';
