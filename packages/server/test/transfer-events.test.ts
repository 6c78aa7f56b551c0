import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { FtpClient, FtpReplyError } from '@ftpkit/client';
import type { TransferEndEvent, TransferStartEvent } from '../src/index.js';
import { PASS, payload, putFile, startServer, USER, type Harness } from './harness.js';
import { pasvPort, RawClient } from './raw-client.js';

// The contract of docs in packages/server/README.md ("Events"): 'transfer-start' and
// 'transfer-end' are emitted for every transfer that got its 150 (its data connection opened),
// and never for a command refused before that; `aborted` is true exactly when ABOR or the end of
// the session stopped the transfer, whatever error the data connection reported first.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function record(harness: Harness): { starts: TransferStartEvent[]; ends: TransferEndEvent[] } {
  const starts: TransferStartEvent[] = [];
  const ends: TransferEndEvent[] = [];
  harness.server.on('transfer-start', (e) => starts.push(e));
  harness.server.on('transfer-end', (e) => ends.push(e));
  return { starts, ends };
}

async function openPassive(raw: RawClient): Promise<Socket> {
  const pasv = await raw.cmd('PASV');
  expect(pasv.code).toBe(227);
  const { port } = pasvPort(pasv.text);
  return new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Replies until the one with `code` (bounded). */
async function until(raw: RawClient, codes: number[]): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await raw.next(15_000);
    if (r === undefined) break;
    seen.push(r.code);
    if (codes.includes(r.code)) break;
  }
  return seen;
}

describe('transfer events tell the truth', () => {
  it('a fast ABOR is aborted:true every time, whichever of ABOR and the closed data connection the server sees first', { timeout: 120_000 }, async () => {
    const harness = await startServer('memory');
    h = harness;
    const { ends } = record(harness);
    await putFile(harness.storage, '/big.bin', payload(8 * 1024 * 1024, 5));
    const raw = await RawClient.connect(harness.port);
    await raw.login(USER, PASS);
    const rounds = 20;
    for (let i = 0; i < rounds; i++) {
      const data = await openPassive(raw);
      data.on('error', () => undefined);
      const first = new Promise<void>((resolve) => data.once('data', () => resolve()));
      raw.send('RETR /big.bin');
      expect((await raw.next(15_000))?.code).toBe(150);
      await first;
      // Both stops in one tick; half the rounds close the data connection before ABOR leaves.
      if (i % 2 === 0) {
        raw.send('ABOR');
        data.resetAndDestroy();
      } else {
        data.resetAndDestroy();
        raw.send('ABOR');
      }
      const replies = await until(raw, [225, 226]);
      expect(replies.at(-1), `round ${i}: ${replies.join(',')}`).toBeOneOf([225, 226]);
      expect((await raw.cmd('NOOP')).code).toBe(200);
    }
    raw.close();
    expect(ends).toHaveLength(rounds);
    expect(ends.map((e) => [e.ok, e.aborted])).toEqual(Array.from({ length: rounds }, () => [false, true]));
  });

  it('a client that leaves mid-transfer (both connections reset at once) is aborted:true every time', { timeout: 120_000 }, async () => {
    const harness = await startServer('memory');
    h = harness;
    const { ends } = record(harness);
    await putFile(harness.storage, '/big.bin', payload(8 * 1024 * 1024, 5));
    const rounds = 10;
    for (let i = 0; i < rounds; i++) {
      const raw = await RawClient.connect(harness.port);
      await raw.login(USER, PASS);
      const data = await openPassive(raw);
      data.on('error', () => undefined);
      const first = new Promise<void>((resolve) => data.once('data', () => resolve()));
      raw.send('RETR /big.bin');
      expect((await raw.next(15_000))?.code).toBe(150);
      await first;
      const gone = new Promise<void>((resolve) => harness.server.once('connection-end', () => resolve()));
      data.resetAndDestroy();
      raw.socket.resetAndDestroy();
      await gone;
    }
    expect(ends.map((e) => [e.ok, e.aborted])).toEqual(Array.from({ length: rounds }, () => [false, true]));
  });

  it('a data connection the client drops without ABOR is not aborted', { timeout: 30_000 }, async () => {
    h = await startServer('memory');
    const { ends } = record(h);
    await putFile(h.storage, '/big.bin', payload(8 * 1024 * 1024, 5));
    const raw = await RawClient.connect(h.port);
    await raw.login(USER, PASS);
    const data = await openPassive(raw);
    data.on('error', () => undefined);
    const first = new Promise<void>((resolve) => data.once('data', () => resolve()));
    raw.send('RETR /big.bin');
    expect((await raw.next(15_000))?.code).toBe(150);
    await first;
    data.resetAndDestroy();
    expect((await raw.next(15_000))?.code).toBe(426);
    expect((await raw.cmd('NOOP')).code).toBe(200);
    raw.close();
    expect(ends.map((e) => [e.ok, e.aborted])).toEqual([[false, false]]);
  });

  it('RETR of a missing file and STOR into a missing directory: both 550 before any 150, neither emits a transfer event', { timeout: 30_000 }, async () => {
    h = await startServer('memory');
    const { starts, ends } = record(h);
    const replies: number[] = [];
    h.server.on('reply', (e) => replies.push(e.code));
    const raw = await RawClient.connect(h.port);
    await raw.login(USER, PASS);
    const data = await openPassive(raw);
    data.on('error', () => undefined);
    expect((await raw.cmd('RETR /missing.txt')).code).toBe(550);
    expect((await raw.cmd('STOR /no-such-dir/x.txt')).code).toBe(550);
    expect((await raw.cmd('APPE /no-such-dir/y.txt')).code).toBe(550);
    // The prepared data connection survives the refusals: a transfer can still use it.
    await putFile(h.storage, '/there.txt', Buffer.from('here'));
    const body = new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      data.on('data', (d: Buffer) => parts.push(d));
      data.on('close', () => resolve(Buffer.concat(parts)));
    });
    expect((await raw.cmd('RETR /there.txt')).code).toBe(150);
    expect((await body).toString()).toBe('here');
    expect((await raw.next(15_000))?.code).toBe(226);
    raw.close();
    expect(starts.map((e) => [e.direction, e.path])).toEqual([['download', '/there.txt']]);
    expect(ends.map((e) => [e.direction, e.path, e.ok])).toEqual([['download', '/there.txt', true]]);
    expect(replies.filter((c) => c === 150)).toHaveLength(1);
  });
});

describe('client upload progress tells the truth', () => {
  it.each(['memory', 'local'] as const)('a STOR refused with 550 reports no progress beyond 0 (%s storage)', { timeout: 30_000 }, async (kind) => {
    h = await startServer(kind);
    const client = await FtpClient.connect({ host: '127.0.0.1', port: h.port, user: USER, password: PASS, retries: 0 });
    const progress: number[] = [];
    try {
      const whole = payload(3 * 1024 * 1024, 7);
      const chunks: Buffer[] = [];
      for (let at = 0; at < whole.length; at += 64 * 1024) chunks.push(whole.subarray(at, at + 64 * 1024));
      const source = Readable.from(chunks);
      const error = await client.upload(source, '/no-such-dir/big.bin', { onProgress: (p) => progress.push(p.bytes) }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(FtpReplyError);
      expect((error as FtpReplyError).code).toBe('FTP_REPLY');
      expect(Math.max(0, ...progress)).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('the final progress figure comes only after the server has stored the file (its transfer-end, then 226)', { timeout: 30_000 }, async () => {
    h = await startServer('memory');
    const order: string[] = [];
    const size = 3 * 1024 * 1024;
    h.server.on('transfer-end', (e) => order.push(`server end ${e.ok} ${e.bytes}`));
    const client = await FtpClient.connect({ host: '127.0.0.1', port: h.port, user: USER, password: PASS, retries: 0 });
    try {
      let last = -1;
      await client.upload(Readable.from([payload(size, 9)]), '/up.bin', {
        onProgress: (p) => {
          expect(p.bytes).toBeGreaterThanOrEqual(last);
          last = p.bytes;
          if (p.bytes === size) order.push('client final progress');
        },
      });
      expect(order).toEqual([`server end true ${size}`, 'client final progress']);
    } finally {
      await client.close();
    }
  });
});
