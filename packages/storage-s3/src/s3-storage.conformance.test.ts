import type { S3Client } from '@aws-sdk/client-s3';
import { describeStorageAdapter, mib } from '@ftpkit/storage/testing';
import { afterAll, beforeAll } from 'vitest';
import { s3Storage } from './s3-storage.js';
import { startS3rver, type S3rverProcess } from './test-support/s3rver-process.js';

const MiB = 1 << 20;
const partSize = 5 * MiB;
const queueSize = 2;

let server: S3rverProcess;
let client: S3Client;
let caseNumber = 0;

beforeAll(async () => {
  server = await startS3rver({ buckets: ['conformance'] });
  client = server.createClient();
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

// Each test gets a fresh, empty root: its own prefix in one shared bucket on one s3rver.
describeStorageAdapter(
  's3 (s3rver)',
  // listPageSize 150: the 400-entry directory below is listed in three pages.
  () => s3Storage({ bucket: 'conformance', prefix: `case-${++caseNumber}/`, client, partSize, queueSize, listPageSize: 150 }),
  {
    capabilities: { setMtime: true, chmod: false, dispose: true },
    openRead: false,
    // Several ListObjectsV2 pages. (s3rver walks its whole directory for each request, so every
    // write costs O(entries) there; s3-storage.test.ts lists 1100 keys written directly.)
    bigDirEntries: 400,
    // s3-upload-memory.test.ts streams 512 MiB; here a smaller big file keeps the suite short.
    bigFileBytes: 64 * MiB,
    // What lib-storage may hold (queueSize parts in flight + one being filled) plus 80 MiB: V8
    // collects Buffers only after ~64 MiB of new external memory (its external-allocation soft
    // limit), so RSS runs that far ahead of live memory; the rest is the SDK and HTTP agent.
    // s3-upload-memory.test.ts measures live memory separately.
    memoryBoundBytes: partSize * (queueSize + 1) + 80 * MiB,
    bigFileTimeoutMs: 120_000,
    onMemoryReport: (report) => {
      console.log(
        `[s3 memory] ${mib(report.fileBytes)} file, ${report.metric}: write peak +${mib(report.writePeakBytes)}, ` +
          `retained +${mib(report.retainedAfterWriteBytes)}, read peak +${mib(report.readPeakBytes)}`,
      );
    },
  },
);

