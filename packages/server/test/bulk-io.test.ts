import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCert, PASS, payload, requireProgram, run, sha256, startServer, tempDir, USER, type Harness } from './harness.js';
import { RawClient } from './raw-client.js';

const MiB = 1024 * 1024;
const hasCurl = requireProgram('curl');

// Issue 19: STOR reads ~1 MiB batches straight into buffers (an adopted user buffer for passive
// connections, onread for active ones, chunks under TLS); several transfers at once, both ways,
// plain and FTPS, each arrive byte for byte.
describe('bulk transfers, several at once', () => {
  let h: Harness;
  let tls: Harness;
  const files = [0, 1, 2, 3].map((i) => payload(6 * MiB + 7 * i + 1, 40 + i));
  beforeAll(async () => {
    h = await startServer('local');
    const pair = makeCert();
    tls = await startServer('local', { tls: { context: () => pair, sessionReuse: 'prefer' } });
    for (const [i, f] of files.entries()) {
      writeFileSync(join(h.root as string, `f${i}.bin`), f);
      writeFileSync(join(tls.root as string, `f${i}.bin`), f);
    }
  });
  afterAll(async () => {
    await h.close();
    await tls.close();
  });

  it('four concurrent RETRs (and one from a REST offset) each arrive byte for byte', async () => {
    const clients = await Promise.all(files.map(() => RawClient.connect(h.port)));
    try {
      await Promise.all(clients.map((c) => c.login(USER, PASS)));
      const got = await Promise.all(clients.map(async (c, i) => {
        expect((await c.cmd('TYPE I')).code).toBe(200);
        return c.retr(`/f${i}.bin`);
      }));
      for (const [i, g] of got.entries()) expect(sha256(g), `f${i}`).toBe(sha256(files[i] as Buffer));
      const c = clients[0] as RawClient;
      expect((await c.cmd(`REST ${MiB + 3}`)).code).toBe(350);
      expect(sha256(await c.retr('/f3.bin'))).toBe(sha256((files[3] as Buffer).subarray(MiB + 3)));
    } finally {
      for (const c of clients) c.close();
    }
  });

  it.skipIf(!hasCurl)('FTPS: concurrent curl --ssl-reqd downloads and uploads arrive byte for byte', async () => {
    const dir = tempDir();
    const results = await Promise.all(files.map(async (_, i) => {
      const out = join(dir, `d${i}.bin`);
      const down = await run('curl', ['-sS', '--fail', '--max-time', '120', '--ssl-reqd', '-k', '-o', out, `${tls.url}/f${i}.bin`], { timeoutMs: 130_000 });
      const up = await run('curl', ['-sS', '--fail', '--max-time', '120', '--ssl-reqd', '-k', '-T', out, `${tls.url}/u${i}.bin`], { timeoutMs: 130_000 });
      return { down: down.code, up: up.code, out };
    }));
    for (const [i, r] of results.entries()) {
      expect({ down: r.down, up: r.up }).toEqual({ down: 0, up: 0 });
      expect(sha256(readFileSync(r.out)), `download f${i}`).toBe(sha256(files[i] as Buffer));
      expect(sha256(readFileSync(join(tls.root as string, `u${i}.bin`))), `upload u${i}`).toBe(sha256(files[i] as Buffer));
    }
  });

  it.skipIf(!hasCurl)('plain: concurrent curl uploads (passive and active) land byte for byte', async () => {
    const dir = tempDir();
    const codes = await Promise.all(files.map(async (f, i) => {
      const src = join(dir, `s${i}.bin`);
      writeFileSync(src, f);
      const active = i % 2 === 1 ? ['-P', '127.0.0.1'] : [];
      return (await run('curl', ['-sS', '--fail', '--max-time', '120', ...active, '-T', src, `${h.url}/up${i}.bin`], { timeoutMs: 130_000 })).code;
    }));
    expect(codes).toEqual([0, 0, 0, 0]);
    for (const [i, f] of files.entries()) expect(sha256(readFileSync(join(h.root as string, `up${i}.bin`))), `up${i}`).toBe(sha256(f));
  });
});
