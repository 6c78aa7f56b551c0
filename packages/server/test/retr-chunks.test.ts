import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStorage } from '@ftpkit/storage-local';
import { PASS, payload, startServer, USER, type Harness } from './harness.js';
import { RawClient } from './raw-client.js';

const CHUNK = 1024;
const SIZES = [0, 1, 100, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5];

// Issue 18: a binary RETR sends a one-chunk file without the pipeline and hands longer files to it
// after the first chunk; every size around the chunk boundary arrives whole, and TYPE A still converts.
describe('RETR of every size around the storage chunk', () => {
  let h: Harness;
  const files = new Map<number, Buffer>(SIZES.map((n) => [n, payload(n, n + 1)]));
  const file = (n: number): Buffer => files.get(n) as Buffer;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'ftpkit-retr-chunks-'));
    for (const n of SIZES) writeFileSync(join(root, `f${n}.bin`), file(n));
    writeFileSync(join(root, 'lines.txt'), 'a\nb\n'.repeat(600));
    h = await startServer('local', { storage: localStorage({ root, chunkBytes: CHUNK }) });
  });
  afterAll(async () => {
    await h.close();
  });

  it('binary: each file arrives byte for byte, then 226, on one control connection', async () => {
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      expect((await c.cmd('TYPE I')).code).toBe(200);
      for (const n of SIZES) expect((await c.retr(`/f${n}.bin`)).equals(file(n)), `${n} bytes`).toBe(true);
      // REST into the last chunk, and REST at the very end.
      expect((await c.cmd('REST 3000')).code).toBe(350);
      expect((await c.retr(`/f${3 * CHUNK + 5}.bin`)).equals(file(3 * CHUNK + 5).subarray(3000))).toBe(true);
      expect((await c.cmd(`REST ${CHUNK}`)).code).toBe(350);
      expect((await c.retr(`/f${CHUNK}.bin`)).length).toBe(0);
    } finally {
      c.close();
    }
  });

  it('TYPE A still goes through the conversion (LF becomes CRLF across chunks)', async () => {
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      expect((await c.cmd('TYPE A')).code).toBe(200);
      expect((await c.retr('/lines.txt')).toString()).toBe('a\r\nb\r\n'.repeat(600));
    } finally {
      c.close();
    }
  });
});
