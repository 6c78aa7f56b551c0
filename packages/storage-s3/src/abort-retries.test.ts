import { CreateMultipartUploadCommand, S3Client } from '@aws-sdk/client-s3';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortRetries, isTransientAbortFailure } from './abort-retries.js';
import { startS3rver, type S3rverProcess } from './test-support/s3rver-process.js';

/** A relay in front of s3rver that resets every connection while `up` is false ("S3 is down"). */
class Relay {
  up = false;
  port = 0;
  readonly #server: Server;
  readonly #open = new Set<Socket>();

  constructor(target: number) {
    this.#server = createServer((client) => {
      if (!this.up) {
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

  /** S3 is gone: open (keep-alive) connections are cut too. */
  down(): void {
    this.up = false;
    for (const s of this.#open) s.resetAndDestroy();
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.#server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    for (const s of this.#open) s.destroy();
    return new Promise((r) => this.#server.close(() => r()));
  }
}

let s3: S3rverProcess;
let relay: Relay;
let direct: S3Client;
let viaRelay: S3Client;
beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['b'] });
  relay = new Relay(s3.port);
  await relay.listen();
  direct = s3.createClient();
  viaRelay = new S3Client({ ...s3.clientConfig, endpoint: `http://127.0.0.1:${relay.port}`, maxAttempts: 1 });
});
afterAll(async () => {
  direct?.destroy();
  viaRelay?.destroy();
  await relay?.close();
  await s3?.stop();
});

async function openUpload(key: string): Promise<{ Bucket: string; Key: string; UploadId: string }> {
  const created = await direct.send(new CreateMultipartUploadCommand({ Bucket: 'b', Key: key }));
  expect(created.UploadId).toBeTypeOf('string');
  return { Bucket: 'b', Key: key, UploadId: created.UploadId as string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('AbortRetries', () => {
  it('retries an abort that failed while S3 was down until S3 is back', { timeout: 30_000 }, async () => {
    const upload = await openUpload('retried.bin');
    const warnings: string[] = [];
    const retries = new AbortRetries(viaRelay, { debug: () => undefined, warn: (m) => warnings.push(m) }, 60_000);
    relay.down();
    await retries.abort(upload);
    expect(retries.pending).toBe(1);
    expect(s3.pendingUploads('b')).toContain(upload.UploadId);
    expect(warnings.join('\n')).toMatch(/retrying in the background/);
    await sleep(1_000);
    relay.up = true;
    const until = Date.now() + 20_000;
    while (s3.pendingUploads('b').includes(upload.UploadId) && Date.now() < until) await sleep(100);
    expect(s3.pendingUploads('b')).not.toContain(upload.UploadId);
    expect(retries.pending).toBe(0);
    await retries.dispose();
  });

  it('dispose() makes one last attempt and stops retrying', { timeout: 30_000 }, async () => {
    const upload = await openUpload('disposed.bin');
    const retries = new AbortRetries(viaRelay, { debug: () => undefined, warn: () => undefined }, 60_000);
    relay.down();
    await retries.abort(upload);
    expect(retries.pending).toBe(1);
    relay.up = true;
    await retries.dispose();
    expect(retries.pending).toBe(0);
    expect(s3.pendingUploads('b')).not.toContain(upload.UploadId);
  });

  it('does not retry when abortRetryMs is 0', async () => {
    const upload = await openUpload('not-retried.bin');
    const retries = new AbortRetries(viaRelay, { debug: () => undefined, warn: () => undefined }, 0);
    relay.down();
    await retries.abort(upload);
    expect(retries.pending).toBe(0);
    expect(s3.pendingUploads('b')).toContain(upload.UploadId);
  });

  it('treats no answer, 5xx and throttling as transient, other 4xx as final', () => {
    expect(isTransientAbortFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientAbortFailure({ name: 'InternalError', $metadata: { httpStatusCode: 500 } })).toBe(true);
    expect(isTransientAbortFailure({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isTransientAbortFailure({ name: 'TooManyRequests', $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isTransientAbortFailure({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toBe(false);
  });
});
