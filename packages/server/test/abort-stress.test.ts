import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FtpAbortError, FtpClient } from '@ftpkit/client';
import { s3Storage } from '@ftpkit/storage-s3';
import { startS3rver, type S3rverProcess } from '@ftpkit/storage-s3/testing';
import { PASS, payload, putFile, requireProgram, startServer, tempDir, USER, type Harness, type StorageKind } from './harness.js';
import { openFds } from './faults-support.js';

// Hundreds of aborts at random points, both directions, plain and TLS, passive and active, against
// the in-process server on every storage. Whatever a stream does after an abort (a pending write on
// a destroyed file stream, a reset during a TLS write, an S3 body cut mid-part), nothing may reach
// the process as an uncaught exception or an unhandled rejection. The client and the server share
// this process, so a crash on either side is seen by the listeners below (and would fail the run).
const hasOpenssl = requireProgram('openssl', ['version']);
const SIZE = 384 * 1024;
/** Per case: at most this many transfers, and no longer than this (a loaded machine does fewer). */
const ROUNDS = 150;
const BUDGET_MS = 3_500;
/** Even a slow machine must have hit this many aborts per case for the test to mean anything. */
const MIN_ABORTS = 15;

const uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => { uncaught.push(err); };

function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = tempDir();
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

interface Tally { aborted: number; completed: number; other: string[] }

/** A signal that aborts at a random point of the transfer: a byte count, a timer, or at once. */
function randomAbort(): { signal: AbortSignal; onProgress?: (p: { bytes: number }) => void } {
  const ac = new AbortController();
  const stop = (): void => ac.abort(new Error('stop'));
  const how = randomInt(0, 4);
  if (how <= 1) {
    const at = randomInt(0, SIZE + SIZE / 8);
    return { signal: ac.signal, onProgress: (p) => { if (p.bytes >= at) stop(); } };
  }
  if (how === 2) setTimeout(stop, randomInt(0, 10));
  else queueMicrotask(stop);
  return { signal: ac.signal };
}

/** Transfers aborted at random points over a passive and an active client, for `BUDGET_MS`. */
async function hammer(h: Harness, direction: 'download' | 'upload', ca: Buffer | undefined): Promise<Tally> {
  const local = tempDir();
  const src = join(local, 'src.bin');
  writeFileSync(src, payload(SIZE, 3));
  const connect = (mode: 'passive' | 'active'): Promise<FtpClient> => FtpClient.connect({
    host: '127.0.0.1', port: h.port, user: USER, password: PASS, mode, retries: 0, replyTimeout: 15_000, dataTimeout: 15_000,
    ...(ca ? { secure: 'explicit' as const, ca } : {}),
  });
  const clients = [await connect('passive'), await connect('active')];
  const tally: Tally = { aborted: 0, completed: 0, other: [] };
  const out = join(local, 'out.bin');
  const deadline = Date.now() + BUDGET_MS;
  try {
    for (let i = 0; i < ROUNDS && Date.now() < deadline; i++) {
      const client = clients[i % 2] as FtpClient;
      const opts = randomAbort();
      try {
        if (direction === 'download') await client.download('/big.bin', out, opts);
        else await client.upload(src, `/up-${i % 3}.bin`, opts);
        tally.completed++;
      } catch (err) {
        if (err instanceof FtpAbortError) tally.aborted++;
        else tally.other.push(String(err));
      }
      // An aborted download never leaves a partial file where the complete one goes.
      if (direction === 'download') {
        const size = statSync(out, { throwIfNoEntry: false })?.size;
        if (size !== undefined && size !== SIZE) tally.other.push(`out.bin has ${size} bytes`);
      }
    }
    // Both connections still work after all of it.
    for (const [n, client] of clients.entries()) {
      await client.download('/big.bin', join(local, `final-${n}.bin`));
      expect(statSync(join(local, `final-${n}.bin`)).size).toBe(SIZE);
    }
  } finally {
    for (const c of clients) await c.close();
  }
  // No temporary download file is left behind.
  expect(readdirSync(local).filter((f) => f.startsWith('.'))).toEqual([]);
  return tally;
}

describe('aborts at random points never crash the process (client and server)', () => {
  const servers: Harness[] = [];
  let pair: { key: Buffer; cert: Buffer } | undefined;
  let s3: S3rverProcess | undefined;
  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    pair = hasOpenssl ? selfSigned() : undefined;
    s3 = await startS3rver({ buckets: ['stress'] });
  }, 60_000);
  afterAll(async () => {
    for (const h of servers) await h.close();
    await s3?.stop();
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  });

  async function serve(kind: StorageKind | 's3'): Promise<Harness> {
    const tls = pair ? { tls: { context: pair } } : {};
    const bucket = kind === 's3' ? s3Storage({ bucket: 'stress', clientConfig: { ...(s3 as S3rverProcess).clientConfig, maxAttempts: 1 } }) : undefined;
    const h = bucket ? await startServer('memory', { ...tls, storage: bucket }) : await startServer(kind as StorageKind, tls);
    servers.push(h);
    await putFile(bucket ?? h.storage, '/big.bin', payload(SIZE, 7));
    return h;
  }

  it('a Writable that fails mid-download rejects the call with its own error, and the connection goes on', async () => {
    const h = await serve('memory');
    // Big enough that the server is still sending when the client stops: it answers 426, and the
    // caller must still see the destination's error, not the server's reply to it.
    await putFile(h.storage, '/huge.bin', payload(16 * 1024 * 1024, 9));
    const client = await FtpClient.connect({ host: '127.0.0.1', port: h.port, user: USER, password: PASS, retries: 0 });
    try {
      for (let i = 0; i < 10; i++) {
        let seen = 0;
        const failAt = randomInt(1, 1024 * 1024);
        const sink = new Writable({
          highWaterMark: 1024,
          write(chunk: Buffer, _enc, cb) {
            seen += chunk.length;
            // Fail asynchronously too, the way a disk does.
            if (seen >= failAt) setImmediate(() => cb(new Error('disk full')));
            else cb();
          },
        });
        await expect(client.download('/huge.bin', sink)).rejects.toThrow('disk full');
      }
      expect(await client.size('/big.bin')).toBe(SIZE);
    } finally {
      await client.close();
    }
    expect(uncaught).toEqual([]);
  });

  it('uploads refused before their data (550) leave no file descriptor open', async () => {
    const h = await serve('memory');
    const src = join(tempDir(), 'src.bin');
    writeFileSync(src, payload(64 * 1024, 5));
    const client = await FtpClient.connect({ host: '127.0.0.1', port: h.port, user: USER, password: PASS, retries: 0 });
    try {
      await expect(client.upload(src, '/no/such/dir/x.bin')).rejects.toThrow(/550/);
      const before = openFds();
      for (let i = 0; i < 40; i++) await expect(client.upload(src, '/no/such/dir/x.bin')).rejects.toThrow(/550/);
      // Let any stream that was opened settle before counting.
      await new Promise((r) => setTimeout(r, 100));
      expect(openFds() - before).toBeLessThan(5);
    } finally {
      await client.close();
    }
  });

  const cases: Array<[StorageKind | 's3', boolean]> = [['local', false], ['local', true], ['memory', false], ['s3', false], ['s3', true]];
  for (const [kind, secure] of cases) {
    it.skipIf(secure && !hasOpenssl)(`${kind} storage, ${secure ? 'TLS' : 'plain'}: downloads and uploads`, async () => {
      const h = await serve(kind);
      for (const direction of ['download', 'upload'] as const) {
        const tally = await hammer(h, direction, secure ? pair?.cert : undefined);
        expect(tally.other).toEqual([]);
        expect(tally.aborted).toBeGreaterThanOrEqual(MIN_ABORTS);
      }
      // Let a late stream error surface before looking.
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
    }, 60_000);
  }
});
