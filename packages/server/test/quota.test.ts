/**
 * Per-user quota in process: real sockets, the raw client, real memory storage (a wrapper only
 * counts calls). The program-level attacks (parallel uploads, many directories) are in
 * apps/server/test/quota.test.ts.
 */
import type { SessionUser } from '@ftpkit/session';
import type { StorageAdapter } from '@ftpkit/storage';
import { localStorage } from '@ftpkit/storage-local';
import { memoryStorage } from '@ftpkit/storage-memory';
import { afterEach, describe, expect, it } from 'vitest';
import type { FtpServerOptions, UserQuota } from '../src/index.js';
import { bindAll, openTransfer, sleep, transferUp } from './faults-support.js';
import { payload, putFile, startServer, tempDir } from './harness.js';
import { RawClient } from './raw-client.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function serve(quota: UserQuota, storage: StorageAdapter, overrides: Partial<FtpServerOptions> = {}): Promise<number> {
  const h = await startServer('memory', {
    storage,
    authenticate: (u, p): (SessionUser & { quota: UserQuota }) | null => (u === 'q' && p === 'q' ? { name: 'q', quota } : null),
    ...overrides,
  });
  cleanup.push(() => h.close());
  return h.port;
}

async function login(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  cleanup.push(() => c.close());
  await c.login('q', 'q');
  return c;
}

describe('per-user quota', () => {
  it('asks usedBytes() once per user name, whatever the number of sessions and uploads', async () => {
    let calls = 0;
    const port = await serve({ limitBytes: 1_000_000, usedBytes: () => ++calls && 0 }, memoryStorage());
    for (let s = 0; s < 2; s++) {
      const c = await login(port);
      for (let i = 0; i < 3; i++) expect(await transferUp(c, `STOR s${s}-${i}.bin`, payload(1000))).toBe(226);
    }
    expect(calls).toBe(1);
  });

  it('without usedBytes, walks the storage once (counting files and 4096 bytes per directory) and then books', async () => {
    const real = memoryStorage();
    for (let i = 0; i < 50; i++) await real.mkdir(`/d${i}`);
    await putFile(real, '/d0/old.bin', payload(1_000));
    let lists = 0;
    const counted: StorageAdapter = {
      ...bindAll(real),
      list: (d, o) => {
        lists++;
        return real.list(d, o);
      },
    };
    // 50 directories and 1,000 bytes: 205,800 used, 200 left.
    const port = await serve({ limitBytes: 50 * 4096 + 1_000 + 200 }, counted);
    const c = await login(port);
    expect(await transferUp(c, 'STOR a.bin', payload(200))).toBe(226);
    expect(await transferUp(c, 'STOR b.bin', payload(1))).toBe(552);
    const c2 = await login(port);
    expect(await transferUp(c2, 'STOR b.bin', payload(1))).toBe(552);
    expect((await c2.cmd('RMD d1')).code).toBe(250);
    expect(await transferUp(c2, 'STOR b.bin', payload(4096))).toBe(226);
    expect(lists).toBe(51);
  });

  it('a file being uploaded cannot be deleted or renamed away by another session of the same user (451), so its bytes are booked once', async () => {
    // Local storage writes in place (in 1 MiB batches): the upload is seen running once they land.
    const storage = localStorage({ root: tempDir() });
    await putFile(storage, '/other.bin', payload(10));
    const port = await serve({ limitBytes: 10_000_000, usedBytes: () => 0 }, storage);
    const a = await login(port);
    const data = await openTransfer(a, 'STOR big.bin');
    data.write(payload(3_000_000));
    for (let i = 0; i < 200 && ((await storage.stat('/big.bin').catch(() => undefined))?.size ?? 0) === 0; i++) await sleep(25);
    const b = await login(port);
    expect((await b.cmd('DELE big.bin')).code).toBe(451);
    expect((await b.cmd('RNFR big.bin')).code).toBe(350);
    expect((await b.cmd('RNTO moved.bin')).code).toBe(451);
    expect((await b.cmd('RNFR other.bin')).code).toBe(350);
    expect((await b.cmd('RNTO big.bin')).code).toBe(451);
    await new Promise<void>((r) => data.end(payload(50_000), () => r()));
    expect((await a.next(30_000))?.code).toBe(226);
    expect((await b.cmd('DELE big.bin')).code).toBe(250);
  });

  it('replacing a file in place (resumable) needs no room for two copies; atomic keeps both until the end, so it does', async () => {
    for (const [uploadMode, verdict] of [['resumable', 226], ['atomic', 552]] as const) {
      const storage = memoryStorage();
      await putFile(storage, '/f.bin', payload(800, 1));
      const port = await serve({ limitBytes: 1_000, usedBytes: () => 800 }, storage, { uploadMode });
      const c = await login(port);
      expect(await transferUp(c, 'STOR f.bin', payload(800, 2))).toBe(verdict);
      expect((await storage.stat('/f.bin')).size).toBe(800);
      // Either way 800 bytes are booked now: 200 more fit, 201 do not.
      expect(await transferUp(c, 'STOR g.bin', payload(201))).toBe(552);
      expect(await transferUp(c, 'STOR g.bin', payload(200))).toBe(226);
    }
  });

  it('APPE and REST+STOR book what the file grows by; a REST offset past the end cannot make a sparse file past the quota', async () => {
    const storage = memoryStorage();
    const port = await serve({ limitBytes: 1_000, usedBytes: () => 0 }, storage);
    const c = await login(port);
    expect(await transferUp(c, 'STOR a.bin', payload(600))).toBe(226);
    expect(await transferUp(c, 'APPE a.bin', payload(600))).toBe(552);
    // REST 300 + 600 bytes: 300 of them replace, the file grows to 900.
    const resumed = await transferUp(c, 'STOR a.bin', payload(600), 300);
    expect(resumed).toBe(226);
    expect((await storage.stat('/a.bin')).size).toBe(900);
    expect(await transferUp(c, 'APPE a.bin', payload(100))).toBe(226);
    expect(await transferUp(c, 'APPE a.bin', payload(1))).toBe(552);
    expect((await c.cmd('DELE a.bin')).code).toBe(250);
    const sparse = await openTransfer(c, 'STOR s.bin', 1_000_000).then(
      async (data) => {
        await new Promise<void>((r) => data.end(payload(1), () => r()));
        return (await c.next(30_000))?.code;
      },
      (err: unknown) => String(err),
    );
    expect(sparse).not.toBe(226);
    const size = (await storage.stat('/s.bin').catch(() => undefined))?.size ?? 0;
    expect(size).toBeLessThanOrEqual(1_000);
  });
});
