import { describeStorageAdapter } from '@ftpkit/storage/testing';
import { memoryStorage } from '@ftpkit/storage-memory';
import { auditStorage } from './audit-storage.js';

describeStorageAdapter('auditStorage(memoryStorage())', () => auditStorage(memoryStorage(), () => {}), {
  capabilities: { setMtime: true, chmod: true, dispose: false }, // exactly what the adapter offers
  reportsMode: true,            // stat() returns Unix permission bits
  memoryMetric: 'heap',         // the files live in the JS heap, not on disk
  heapGrowthFactor: 2,          // memfs doubles a file's buffer while it grows
  bigFileBytes: 32 * 1024 * 1024,
  bigDirEntries: 2_000,
});
