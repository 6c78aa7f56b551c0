import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferEndEvent } from '../src/index.js';
import { getFile, PASS, payload, putFile, sha256, startServer, USER, type Harness } from './harness.js';
import { memoryStorage } from '@ftpkit/storage-memory';
import type { StorageAdapter } from '@ftpkit/storage';
import { bindAll, openFds, openTransfer, repliesUntilClosed, settle, sleep } from './faults-support.js';
import { RawClient } from './raw-client.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});


type Kind = 'short-download' | 'long-download' | 'short-upload' | 'long-upload';

interface Outcome {
  kind: Kind;
  path: string;
  replies: number[];
  received?: Buffer;
  sent?: Buffer;
}

// Short transfers need ~0.3 s; the margin keeps the test honest on a busy machine.
const GRACE_MS = 4_000;

describe('fault injection: graceful shutdown during 50 active transfers', () => {
  it('transfers finishing within the grace period get 226, the rest 421/426; no upload reported complete that is not', async () => {
    h = await startServer('memory', { uploadMode: 'resumable', limits: { maxConnectionsPerIp: 100, loginFailureDelayMs: 10 } });
    const fds = openFds();
    const small = payload(2 * 1024 * 1024, 31);
    const huge = payload(24 * 1024 * 1024, 32);
    await putFile(h.storage, '/small.bin', small);
    await putFile(h.storage, '/huge.bin', huge);
    const ends: TransferEndEvent[] = [];
    h.server.on('transfer-end', (e) => ends.push(e));
    let started = 0;
    h.server.on('transfer-start', () => started++);

    let go!: () => void;
    const closing = new Promise<void>((r) => (go = r));
    const kinds: Kind[] = [];
    for (let i = 0; i < 50; i++) kinds.push((['short-download', 'long-download', 'short-upload', 'long-upload'] as const)[i % 4]!);

    const run = async (kind: Kind, i: number): Promise<Outcome> => {
      const c = await RawClient.connect(h!.port);
      await c.login(USER, PASS);
      const path = kind.endsWith('download') ? (kind === 'short-download' ? '/small.bin' : '/huge.bin') : `/up-${i}.bin`;
      const data: Socket = await openTransfer(c, `${kind.endsWith('download') ? 'RETR' : 'STOR'} ${path}`);
      const outcome: Outcome = { kind, path, replies: [] };
      await closing;
      if (kind === 'short-download') {
        const chunks: Buffer[] = [];
        data.on('data', (d: Buffer) => chunks.push(d));
        await new Promise((r) => data.once('close', r));
        outcome.received = Buffer.concat(chunks);
      } else if (kind === 'long-download') {
        // Never reads: the transfer cannot finish in time.
        data.pause();
      } else if (kind === 'short-upload') {
        const body = payload(256 * 1024, i);
        for (let k = 0; k < 4; k++) {
          data.write(body.subarray(k * 64 * 1024, (k + 1) * 64 * 1024));
          await sleep(50);
        }
        await new Promise<void>((r) => data.end(() => r()));
        outcome.sent = body;
      } else {
        // Trickles until the server gives up on it.
        const chunk = Buffer.alloc(16 * 1024, i);
        while (!data.destroyed && !c.closed) {
          data.write(chunk);
          await sleep(100);
        }
      }
      outcome.replies = await repliesUntilClosed(c, GRACE_MS + 10_000);
      data.destroy();
      c.close();
      return outcome;
    };

    const runs = kinds.map((k, i) => run(k, i));
    const deadline = Date.now() + 20_000;
    while (started < 50 && Date.now() < deadline) await sleep(20);
    expect(started).toBe(50);
    const t0 = Date.now();
    const closed = h.server.close({ graceMs: GRACE_MS });
    go();
    const outcomes = await Promise.all(runs);
    await closed;
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(took).toBeLessThan(GRACE_MS + 8_000);

    const summary = outcomes.map((o) => `${o.kind} ${o.path} ${o.replies.join(',')}`).join('\n');
    const endSummary = ends.map((e) => `${e.direction} ${e.path} ok=${e.ok} aborted=${e.aborted} bytes=${e.bytes} ${String(e.error ?? '')}`).join('\n');
    if (process.env.FAULTS_DEBUG) console.log(`${took} ms\n${summary}\n${endSummary}`);
    for (const o of outcomes) {
      if (o.kind.startsWith('short')) {
        // Finished within the grace period: 226, then the shutdown 421.
        expect(o.replies, `${o.kind} ${o.path}`).toEqual([226, 421]);
        if (o.received) expect(sha256(o.received)).toBe(sha256(small));
        if (o.sent) expect(sha256(await getFile(h.storage, o.path))).toBe(sha256(o.sent));
      } else {
        expect(o.replies, `${o.kind} ${o.path}`).not.toContain(226);
        expect(o.replies.length).toBeGreaterThan(0);
        for (const code of o.replies) expect([421, 426]).toContain(code);
      }
    }
    // The server's own account agrees: an upload is 'ok' only where the client's bytes all landed.
    const uploadsOk = ends.filter((e) => e.direction === 'upload' && e.ok).map((e) => e.path).sort();
    const shortUploads = outcomes.filter((o) => o.kind === 'short-upload').map((o) => o.path).sort();
    expect(uploadsOk).toEqual(shortUploads);
    expect(ends.filter((e) => e.ok)).toHaveLength(outcomes.filter((o) => o.kind.startsWith('short')).length);
    expect(ends).toHaveLength(50);
    expect((await settle(h.server, fds)).fds).toBeLessThanOrEqual(fds);
  });
});

describe('fault injection: a transfer that does not stop', () => {
  it('still gets exactly one transfer-end, ok=false, once its connection has ended (teardown stops waiting after 5 s)', { timeout: 30_000 }, async () => {
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const base = memoryStorage();
    // A storage that ignores the abort signal: its write settles only when the test says so.
    const storage: StorageAdapter = {
      ...bindAll(base),
      async write() {
        await stuck;
        throw new Error('too late');
      },
    };
    h = await startServer('memory', { storage, uploadMode: 'atomic' });
    const ends: TransferEndEvent[] = [];
    h.server.on('transfer-end', (e) => ends.push(e));
    let connectionEnded = false;
    h.server.on('connection-end', () => (connectionEnded = true));
    const c = await RawClient.connect(h.port);
    await c.login(USER, PASS);
    const data = await openTransfer(c, 'STOR stuck.bin');
    data.write(Buffer.alloc(1024));
    await sleep(100);
    data.resetAndDestroy();
    c.socket.resetAndDestroy();
    const deadline = Date.now() + 15_000;
    while (!connectionEnded && Date.now() < deadline) await sleep(50);
    expect(connectionEnded).toBe(true);
    expect(ends.map((e) => ({ path: e.path, ok: e.ok, aborted: e.aborted }))).toEqual([{ path: '/stuck.bin', ok: false, aborted: true }]);
    release();
    await sleep(200);
    expect(ends).toHaveLength(1);
  });
});
