import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectData } from './faults-support.js';
import { PASS, payload, putFile, startServer, USER, type Harness } from './harness.js';
import { pasvPort, RawClient } from './raw-client.js';

function collect(data: import('node:net').Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  data.on('data', (d: Buffer) => chunks.push(d));
  return new Promise((resolve) => data.once('close', () => resolve(Buffer.concat(chunks))));
}

function epsvPort(text: string): number {
  const m = /\(\|\|\|(\d+)\|\)/.exec(text);
  if (!m) throw new Error(`bad 229: ${text}`);
  return Number(m[1]);
}

// Issue 18 point 4 (REST leniency) and issue 14 point 12a (REST + STOR past the end).
describe('REST through a live server on local storage, raw socket', () => {
  let h: Harness;
  let c: RawClient;
  const file = payload(1000, 7);
  beforeAll(async () => {
    h = await startServer('local');
    writeFileSync(join(h.root as string, 'r.bin'), file);
  });
  afterAll(() => h.close());
  beforeAll(async () => {
    c = await RawClient.connect(h.port);
    await c.login(USER, PASS);
  });
  afterAll(() => c.close());

  it('REST, then PASV, then RETR: the download starts at the offset', async () => {
    expect((await c.cmd('TYPE I')).code).toBe(200);
    expect((await c.cmd('REST 100')).code).toBe(350);
    const pasv = await c.cmd('PASV');
    expect(pasv.code).toBe(227);
    const data = await connectData(pasvPort(pasv.text).port);
    const got = collect(data);
    expect((await c.cmd('RETR r.bin')).code).toBe(150);
    expect((await got).equals(file.subarray(100))).toBe(true);
    expect((await c.next())?.code).toBe(226);
  });

  it('REST, then TYPE I, SIZE, MDTM, NOOP and EPSV, then RETR: still at the offset; the next RETR starts at 0', async () => {
    expect((await c.cmd('REST 900')).code).toBe(350);
    for (const cmd of ['TYPE I', 'SIZE r.bin', 'MDTM r.bin', 'NOOP', 'MODE S', 'STRU F']) expect((await c.cmd(cmd)).code, cmd).toBeLessThan(300);
    const epsv = await c.cmd('EPSV');
    expect(epsv.code).toBe(229);
    let data = await connectData(epsvPort(epsv.text));
    let got = collect(data);
    expect((await c.cmd('RETR r.bin')).code).toBe(150);
    expect((await got).equals(file.subarray(900))).toBe(true);
    expect((await c.next())?.code).toBe(226);
    const pasv = await c.cmd('PASV');
    data = await connectData(pasvPort(pasv.text).port);
    got = collect(data);
    expect((await c.cmd('RETR r.bin')).code).toBe(150);
    expect((await got).length).toBe(1000);
    expect((await c.next())?.code).toBe(226);
  });

  it('REST, then PASV, then STOR: writes at the offset and keeps the rest (no truncation)', async () => {
    writeFileSync(join(h.root as string, 'w.bin'), 'AAAAAAAAAA');
    expect((await c.cmd('REST 4')).code).toBe(350);
    expect((await c.cmd('TYPE I')).code).toBe(200);
    const pasv = await c.cmd('PASV');
    const data = await connectData(pasvPort(pasv.text).port);
    expect((await c.cmd('STOR w.bin')).code).toBe(150);
    await new Promise<void>((r) => data.end('BB', () => r()));
    expect((await c.next())?.code).toBe(226);
    expect(readFileSync(join(h.root as string, 'w.bin'), 'utf8')).toBe('AAAABBAAAA');
  });

  it('REST 1 TiB + STOR of one byte is 554 and leaves the file as it was (no sparse file)', async () => {
    writeFileSync(join(h.root as string, 's.bin'), 'small');
    expect((await c.cmd(`REST ${2 ** 40}`)).code).toBe(350);
    const pasv = await c.cmd('PASV');
    const data = await connectData(pasvPort(pasv.text).port);
    data.on('error', () => undefined);
    const r = await c.cmd('STOR s.bin');
    if (r.code === 150) data.end('x');
    expect(r.code).toBe(554);
    data.destroy();
    expect(statSync(join(h.root as string, 's.bin')).size).toBe(5);
    // REST 1 on a file that does not exist: 554 too, nothing created.
    expect((await c.cmd('REST 1')).code).toBe(350);
    expect((await c.cmd('STOR none.bin')).code).toBe(554);
    expect(() => statSync(join(h.root as string, 'none.bin'))).toThrow();
  });
});

// Issue 14 point 12b/c: ABOR pipelined with RETR, and the data timeout.
describe('ABOR and the data timeout through a live server, raw socket', () => {
  const BIG = 64 * 1024 * 1024;
  let h: Harness;
  beforeAll(async () => {
    // A data timeout long enough that only an ABOR that acts can end the transfer in time.
    h = await startServer('memory', { limits: { loginFailureDelayMs: 10, dataTimeoutMs: 3_000 } });
    await putFile(h.storage, '/big.bin', payload(BIG, 3));
  });
  afterAll(() => h.close());

  it('ABOR in the same packet as RETR stops the transfer at once (426, then 226), not when it stalls', async () => {
    const slow = await startServer('memory', { storage: h.storage, limits: { loginFailureDelayMs: 10, dataTimeoutMs: 60_000 } });
    const c = await RawClient.connect(slow.port);
    try {
      await c.login(USER, PASS);
      expect((await c.cmd('TYPE I')).code).toBe(200);
      const pasv = await c.cmd('PASV');
      const data = await connectData(pasvPort(pasv.text).port);
      data.on('error', () => undefined);
      data.pause(); // a client that reads nothing: without ABOR this transfer runs until the data timeout
      c.socket.write('RETR big.bin\r\nABOR\r\n');
      // The ABOR may catch the transfer while its data connection is being taken (no 150) or
      // just after the 150; either way the transfer ends with 426, then the ABOR's 226.
      const codes: number[] = [];
      for (let i = 0; i < 3 && codes.at(-1) !== 226; i++) codes.push((await c.next(15_000))?.code ?? 0);
      expect(codes.filter((code) => code !== 150)).toEqual([426, 226]);
      expect((await c.cmd('NOOP')).code).toBe(200);
      data.destroy();
    } finally {
      c.close();
      await slow.close();
    }
  });

  for (const direction of ['RETR big.bin', 'STOR up.bin']) {
    it(`a stalled ${direction.slice(0, 4)} is cut after dataTimeoutMs (3 s), not twice that`, async () => {
      const c = await RawClient.connect(h.port);
      try {
        await c.login(USER, PASS);
        expect((await c.cmd('TYPE I')).code).toBe(200);
        const pasv = await c.cmd('PASV');
        const data = await connectData(pasvPort(pasv.text).port);
        data.on('error', () => undefined);
        data.pause();
        if (direction.startsWith('STOR')) data.write(Buffer.alloc(1000));
        expect((await c.cmd(direction)).code).toBe(150);
        const started = Date.now();
        const end = await c.next(20_000);
        const waited = Date.now() - started;
        expect(end?.code).toBe(426);
        // Node's socket timeout skipped its first expiry while a write was queued: 6 s for 3 s.
        expect(waited).toBeGreaterThanOrEqual(2_500);
        expect(waited).toBeLessThan(5_000);
        data.destroy();
      } finally {
        c.close();
      }
    });
  }
});
