import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASS, startServer, USER, type Harness } from './harness.js';
import { RawClient } from './raw-client.js';

const VERBS = ['USER', 'PASS', 'CWD', 'RETR', 'STOR', 'LIST', 'PORT', 'EPRT', 'PASV', 'EPSV', 'REST', 'RNFR', 'RNTO', 'MKD', 'SITE', 'OPTS', 'HASH', 'STAT', 'ABOR', 'AUTH', 'PROT', 'TYPE', 'MLSD', 'FEAT', 'HELP', 'QUIT'];

/** One hostile conversation: a list of chunks, and whether to cut the connection mid-way. */
const conversation = fc.record({
  chunks: fc.array(
    fc.oneof(
      // Random bytes.
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      // A command with a random argument (CR/LF/NUL/IAC/invalid UTF-8 inside).
      fc
        .tuple(fc.constantFrom(...VERBS), fc.uint8Array({ maxLength: 80 }), fc.constantFrom('\r\n', '\n', '', '\r'))
        .map(([verb, arg, end]) => Buffer.concat([Buffer.from(`${verb} `), Buffer.from(arg), Buffer.from(end)])),
      // A huge line, with or without a line end.
      fc.tuple(fc.integer({ min: 600, max: 20_000 }), fc.boolean()).map(([n, end]) => Buffer.from(`${'A'.repeat(n)}${end ? '\r\n' : ''}`)),
      // Partial TELNET sequences.
      fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xff, 0xfd]), Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from('NOOP\r\n')),
      // Hostile but well-formed commands.
      fc.constantFrom(
        'PORT 127,0,0,1,0,21\r\n', 'PORT 999,1,1,1,1,1\r\n', 'EPRT |9|x|y|\r\n', 'REST -5\r\n', 'REST 99999999999999999999\r\n',
        'RETR ../../../../etc/passwd\r\n', 'CWD /../../..\r\n', 'RNFR a\r\n', 'MKD \u0000\r\n', 'OPTS HASH NOPE\r\n',
      ).map((s) => Buffer.from(s)),
    ),
    { minLength: 1, maxLength: 12 },
  ),
  cut: fc.boolean(),
});

function talk(port: number, chunks: Uint8Array[], cut: boolean): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    const done = setTimeout(() => {
      s.destroy();
      resolve();
    }, 400);
    s.once('close', () => {
      clearTimeout(done);
      resolve();
    });
    s.once('connect', () => {
      const half = cut ? Math.floor(chunks.length / 2) : chunks.length;
      for (const c of chunks.slice(0, half)) s.write(c);
      if (cut) s.destroy();
    });
  });
}

describe('hostile input', () => {
  let h: Harness;
  let good: RawClient;
  beforeAll(async () => {
    h = await startServer('memory', { limits: { maxLineLength: 512, loginFailureDelayMs: 0, maxLoginFailuresPerIp: 1_000_000 } });
    good = await RawClient.connect(h.port);
    await good.login(USER, PASS);
  });
  afterAll(async () => {
    good.close();
    await h.close();
  });

  it('answers or closes, never crashes, and a well-behaved client keeps working (fast-check, seeded)', async () => {
    const errors: Error[] = [];
    h.server.on('error', (e) => errors.push(e));
    await fc.assert(
      fc.asyncProperty(conversation, async ({ chunks, cut }) => {
        await talk(h.port, chunks, cut);
        const r = await good.cmd('NOOP');
        expect(r.code).toBe(200);
      }),
      { numRuns: 60, seed: 20261125, interruptAfterTimeLimit: 60_000 },
    );
    expect((await good.cmd('PWD')).code).toBe(257);
    // Every hostile connection is gone again; only the good client remains.
    const deadline = Date.now() + 5_000;
    while (h.server.connectionCount > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(h.server.connectionCount).toBe(1);
    expect(errors).toEqual([]);
  });

  it('survives 10,000 RNFR in a row (answered, or 421 when too many wait) and a 1 MiB line without a line end', async () => {
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      c.socket.write('RNFR x\r\n'.repeat(10_000));
      const codes = new Set<number>();
      for (let i = 0; i < 10_000; i++) {
        const r = await c.next(20_000);
        if (!r) break;
        codes.add(r.code);
      }
      expect([...codes].every((code) => code === 350 || code === 550 || code === 421)).toBe(true);
    } finally {
      c.close();
    }
    const d = await RawClient.connect(h.port);
    try {
      await d.login(USER, PASS);
      d.socket.write(Buffer.alloc(1024 * 1024, 0x41));
      d.socket.write('\r\nNOOP\r\n');
      const codes: number[] = [];
      for (let i = 0; i < 2; i++) {
        const r = await d.next(20_000);
        if (r) codes.push(r.code);
      }
      expect(codes[0]).toBeGreaterThanOrEqual(500);
      expect(codes[1]).toBe(200);
    } finally {
      d.close();
    }
    expect((await good.cmd('NOOP')).code).toBe(200);
  });
});

describe('command rate limit', () => {
  it('reads a flooding session more slowly (nothing refused) while another session is answered at once', async () => {
    // 40 commands/s with a burst of 200: 300 NOOPs one at a time need at least (300 - 200) / 40 = 2.5 s.
    const h = await startServer('memory', { limits: { maxCommandsPerSecond: 40 } });
    const flood = await RawClient.connect(h.port);
    const other = await RawClient.connect(h.port);
    try {
      await flood.login(USER, PASS);
      await other.login(USER, PASS);
      const started = Date.now();
      for (let i = 0; i < 300; i++) expect((await flood.cmd('NOOP')).code).toBe(200);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(2_000);
      const t = Date.now();
      expect((await other.cmd('NOOP')).code).toBe(200);
      expect(Date.now() - t).toBeLessThan(elapsed / 2);
    } finally {
      flood.close();
      other.close();
      await h.close();
    }
  });
});
