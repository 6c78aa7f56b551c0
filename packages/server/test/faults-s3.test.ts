import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Storage } from '@ftpkit/storage-s3';
import { startS3rver, type S3rverProcess } from '@ftpkit/storage-s3/testing';
import { PASS, payload, sha256, startServer, USER, type Harness } from './harness.js';
import { openTransfer, sleep, transferDown, transferUp } from './faults-support.js';
import { RawClient } from './raw-client.js';

const CHILD = fileURLToPath(new URL('../../storage-s3/src/test-support/s3rver-child.cjs', import.meta.url));
const BUCKET = 'faults';

/**
 * A TCP relay with a fixed port in front of s3rver, so "S3" can die and come back (a new s3rver
 * over the same data directory) at the same endpoint. While down it refuses every connection.
 */
class S3Endpoint {
  readonly #server: Server;
  readonly #open = new Set<Socket>();
  backendPort: number | undefined;
  port = 0;

  constructor(backendPort: number) {
    this.backendPort = backendPort;
    this.#server = createServer((client) => {
      const target = this.backendPort;
      if (target === undefined) {
        client.resetAndDestroy();
        return;
      }
      const upstream = connect(target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#open.add(s);
        s.on('close', () => this.#open.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.#server.address() as { port: number }).port;
  }

  /** S3 is gone: every open connection is cut and new ones are refused. */
  down(): void {
    this.backendPort = undefined;
    for (const s of this.#open) s.resetAndDestroy();
  }

  close(): Promise<void> {
    this.down();
    return new Promise((r) => this.#server.close(() => r()));
  }
}

/** A second s3rver over the first one's data directory ("S3 comes back"). */
async function restartS3rver(directory: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, JSON.stringify({ directory, buckets: [BUCKET] })], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('s3rver did not restart within 20 s')), 20_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  return { port: (JSON.parse(line) as { port: number }).port, child };
}

let h: Harness | undefined;
let s3: S3rverProcess | undefined;
let endpoint: S3Endpoint | undefined;
let second: ChildProcess | undefined;
afterAll(async () => {
  await h?.close();
  await endpoint?.close();
  second?.stdin?.end();
  second?.kill('SIGKILL');
  await s3?.stop();
});

/** True when an open upload has received (the start of) a part: s3rver names part files by number. */
function hasPart(server: S3rverProcess, uploads: string[]): boolean {
  return uploads.some((id) => readdirSync(join(server.directory, BUCKET, '._S3rver_uploads', id)).some((f) => /^\d+$/.test(f)));
}

interface Scenario {
  verdict: number | undefined;
  noopAfter: number;
  pendingWhileRunning: number;
}

/** STOR 24 MiB to S3 through the server; SIGKILL s3rver once the multipart upload is open. */
async function killS3MidUpload(): Promise<Scenario> {
  s3 = await startS3rver({ buckets: [BUCKET] });
  endpoint = new S3Endpoint(s3.port);
  await endpoint.listen();
  const storage = s3Storage({
    bucket: BUCKET,
    clientConfig: { ...s3.clientConfig, endpoint: `http://127.0.0.1:${endpoint.port}`, maxAttempts: 2 },
    partSize: 5 * 1024 * 1024,
  });
  h = await startServer('memory', { storage, uploadMode: 'atomic' });
  const body = payload(24 * 1024 * 1024, 41);
  const c = await RawClient.connect(h.port);
  await c.login(USER, PASS);
  const data = await openTransfer(c, 'STOR big.bin');
  // Enough for the multipart upload to be open with a part on its way, then S3 dies.
  await new Promise<void>((r) => data.write(body.subarray(0, 12 * 1024 * 1024), () => r()));
  // Wait for a part to arrive, not just for the upload to exist: killing S3 between creating the
  // upload and its reply would leave an upload whose id the adapter never learned (only a bucket
  // lifecycle rule can clean that one up).
  const deadline = Date.now() + 20_000;
  while (!hasPart(s3, s3.pendingUploads(BUCKET)) && Date.now() < deadline) await sleep(20);
  const pendingWhileRunning = s3.pendingUploads(BUCKET).length;
  process.kill(s3.pid, 'SIGKILL');
  endpoint.down();
  data.end(body.subarray(12 * 1024 * 1024));
  const verdict = (await c.next(60_000))?.code;
  data.destroy();
  const noopAfter = (await c.cmd('NOOP')).code;
  c.close();
  const back = await restartS3rver(s3.directory);
  second = back.child;
  endpoint.backendPort = back.port;
  return { verdict, noopAfter, pendingWhileRunning };
}

describe('fault injection: S3 killed mid-upload', () => {
  let scenario: Scenario;
  beforeAll(async () => {
    scenario = await killS3MidUpload();
  }, 120_000);

  it('no 226 (451/426), nothing stored, the server keeps serving while and after S3 is away', async () => {
    expect(scenario.pendingWhileRunning).toBe(1);
    expect([451, 426]).toContain(scenario.verdict);
    expect(scenario.noopAfter).toBe(200);
    const after = await RawClient.connect(h!.port);
    await after.login(USER, PASS);
    expect((await after.cmd('SIZE big.bin')).code).toBe(550);
    const small = payload(100 * 1024, 42);
    expect(await transferUp(after, 'STOR small.bin', small)).toBe(226);
    const { data: got, replies } = await transferDown(after, 'RETR small.bin');
    expect(replies).toEqual([226]);
    expect(sha256(got)).toBe(sha256(small));
    after.close();
  });

  // The first AbortMultipartUpload is sent while S3 is down; storage-s3 retries it in the
  // background (0.5 s doubling), so the upload is gone a few seconds after S3 is back.
  it('the multipart upload is aborted once S3 is back', { timeout: 40_000 }, async () => {
    const until = Date.now() + 30_000;
    while (s3!.pendingUploads(BUCKET).length > 0 && Date.now() < until) await sleep(100);
    expect(s3!.pendingUploads(BUCKET)).toEqual([]);
  });
});
