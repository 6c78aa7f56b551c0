import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describePathEscapes } from '@ftpkit/storage/testing';
import { afterAll, beforeAll } from 'vitest';
import { s3Storage } from './s3-storage.js';
import { startS3rver, type S3rverProcess } from './test-support/s3rver-process.js';

// A server of its own: the fingerprint below reads its whole data directory after every step.
let server: S3rverProcess;
let client: S3Client;

beforeAll(async () => {
  server = await startS3rver({ buckets: ['escapes'] });
  client = server.createClient();
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

/**
 * Everything in s3rver's data directory outside `excluded` (the adapter's root as files), with
 * sizes, mtimes and content hashes: s3rver keeps keys as file paths, so a key that climbed out of
 * the prefix would show up here, even outside the bucket.
 */
function fingerprint(excluded: string): string {
  const lines: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (path === excluded || entry.name === '._S3rver_uploads') continue;
      if (entry.isDirectory()) {
        lines.push(`${relative(server.directory, path)}/`);
        visit(path);
      } else {
        const stat = statSync(path);
        const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
        lines.push(`${relative(server.directory, path)} ${stat.size} ${stat.mtimeMs} ${hash}`);
      }
    }
  };
  visit(server.directory);
  return lines.sort().join('\n');
}

let jailNumber = 0;

// The root is `jail-N/root/`; the secret sits just above it, at `jail-N/secret.txt`. S3 has no
// symlinks, so the suite's link inputs are plain missing names here.
describePathEscapes('s3 (s3rver)', async () => {
  const jail = `jail-${++jailNumber}`;
  const secret = `secret of ${jail}`;
  await client.send(new PutObjectCommand({ Bucket: 'escapes', Key: `${jail}/secret.txt`, Body: secret }));
  const excluded = join(server.directory, 'escapes', jail, 'root');
  return {
    adapter: s3Storage({ bucket: 'escapes', prefix: `${jail}/root/`, client }),
    secret,
    outside: async () => fingerprint(excluded),
  };
});
