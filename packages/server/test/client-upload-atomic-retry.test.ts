import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FtpClient } from '@ftpkit/client';
import { memoryStorage } from '@ftpkit/storage-memory';
import { StorageError, type StorageAdapter } from '../src/index.js';
import { getFile, PASS, payload, putFile, sha256, startServer, tempDir, USER, type Harness } from './harness.js';
import { bindAll } from './faults-support.js';

/** The first write of `path` dies with EIO after `afterBytes`, as a failing disk would; later ones work. */
function failsOnce(inner: StorageAdapter, path: string, afterBytes: number): StorageAdapter {
  let failed = false;
  return {
    ...bindAll(inner),
    async write(p, data, opts) {
      if (p !== path || failed) return inner.write(p, data, opts);
      failed = true;
      let seen = 0;
      async function* cut(): AsyncGenerator<Uint8Array> {
        for await (const chunk of data) {
          if (seen + chunk.length > afterBytes) throw new StorageError('EIO', `injected EIO writing ${p}`);
          seen += chunk.length;
          yield chunk;
        }
      }
      return inner.write(p, cut(), opts);
    },
  };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('FtpClient.upload retries against an atomic-mode @ftpkit/server', () => {
  it('falls back to a full STOR when the resume attempt (APPE) gets 554, and the file ends up whole', { timeout: 60_000 }, async () => {
    const inner = memoryStorage();
    const old = payload(1000, 3);
    await putFile(inner, '/f.bin', old);
    h = await startServer('memory', { storage: failsOnce(inner, '/f.bin', 100 * 1024), uploadMode: 'atomic' });
    const body = payload(600 * 1024, 4);
    const local = join(tempDir(), 'f.bin');
    writeFileSync(local, body);
    const client = await FtpClient.connect({ host: '127.0.0.1', port: h.port, user: USER, password: PASS, retries: 2, retryDelay: 20, keepaliveInterval: 0 });
    try {
      const result = await client.upload(local, '/f.bin');
      expect(result.retries).toBeGreaterThanOrEqual(1);
      expect(result.offset).toBe(0);
    } finally {
      await client.close();
    }
    expect(sha256(await getFile(inner, '/f.bin'))).toBe(sha256(body));
  });
});
