import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FtpClient } from '@ftpkit/client';
import type { SessionUser } from '@ftpkit/session';
import { localStorage } from '@ftpkit/storage-local';
import { createFtpServer, type FtpServer, type TransferEndEvent } from '../src/index.js';
import { PASS, payload, putFile, sha256, USER } from './harness.js';
import { sleep } from './faults-support.js';

const RATE = 1024 * 1024;
const SIZE = 3 * 1024 * 1024;

const dirs: string[] = [];
const servers: FtpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close({ graceMs: 0 });
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A server on `port` (0 first, then the same port again) over the same directory. */
async function serve(root: string, port: number, limits: { downloadBytesPerSecond?: number; uploadBytesPerSecond?: number }): Promise<{ server: FtpServer; port: number }> {
  const server = createFtpServer({
    storage: localStorage({ root }),
    authenticate: (user, password): SessionUser | null => (user === USER && password === PASS ? { name: USER } : null),
    limits: { loginFailureDelayMs: 10, ...limits },
  });
  servers.push(server);
  return { server, port: (await server.listen(port, '127.0.0.1')).port };
}

/** Wait until the server has moved `bytes` on its running transfer, then stop it hard (graceMs 0). */
async function crashWhenPast(server: FtpServer, bytes: number): Promise<void> {
  await sleep((bytes / RATE) * 1000);
  await server.close({ graceMs: 0 });
}

function transfersOn(server: FtpServer): TransferEndEvent[] {
  const ends: TransferEndEvent[] = [];
  server.on('transfer-end', (e) => ends.push(e));
  return ends;
}

describe('fault injection: the server restarts under a client with retries', () => {
  it('the download resumes after the server comes back on the same port, with the right bytes', async () => {
    const root = tmp('ftpkit-restart-');
    const body = payload(SIZE, 21);
    const first = await serve(root, 0, { downloadBytesPerSecond: RATE });
    await putFile(localStorage({ root }), '/big.bin', body);
    const client = await FtpClient.connect({ host: '127.0.0.1', port: first.port, user: USER, password: PASS, retries: 5, retryDelay: 300, keepaliveInterval: 0 });
    try {
      const local = join(tmp('ftpkit-restart-dl-'), 'big.bin');
      const download = client.download('/big.bin', local);
      await crashWhenPast(first.server, SIZE / 3);
      const second = await serve(root, first.port, {});
      const ends = transfersOn(second.server);
      const result = await download;
      expect(result.retries).toBeGreaterThanOrEqual(1);
      expect(sha256(readFileSync(local))).toBe(sha256(body));
      // The second server sent only the rest (REST), not the whole file again.
      const resumed = ends.filter((e) => e.direction === 'download' && e.ok);
      expect(resumed).toHaveLength(1);
      expect(resumed[0]!.bytes).toBeGreaterThan(0);
      expect(resumed[0]!.bytes).toBeLessThan(SIZE);
    } finally {
      await client.close().catch(() => undefined);
    }
  });

  it('the upload resumes after the server comes back on the same port, with the right bytes', async () => {
    const root = tmp('ftpkit-restart-');
    const body = payload(SIZE, 22);
    const source = join(tmp('ftpkit-restart-ul-'), 'up.bin');
    writeFileSync(source, body);
    const first = await serve(root, 0, { uploadBytesPerSecond: RATE });
    const client = await FtpClient.connect({ host: '127.0.0.1', port: first.port, user: USER, password: PASS, retries: 5, retryDelay: 300, keepaliveInterval: 0 });
    try {
      const upload = client.upload(source, '/up.bin');
      await crashWhenPast(first.server, SIZE / 3);
      const second = await serve(root, first.port, {});
      const ends = transfersOn(second.server);
      const result = await upload;
      expect(result.retries).toBeGreaterThanOrEqual(1);
      expect(sha256(readFileSync(join(root, 'up.bin')))).toBe(sha256(body));
      const resumed = ends.filter((e) => e.direction === 'upload' && e.ok);
      expect(resumed).toHaveLength(1);
      expect(resumed[0]!.bytes).toBeGreaterThan(0);
      expect(resumed[0]!.bytes).toBeLessThan(SIZE);
    } finally {
      await client.close().catch(() => undefined);
    }
  });
});
