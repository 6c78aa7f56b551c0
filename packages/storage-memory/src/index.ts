export * from './memory-storage.js';
