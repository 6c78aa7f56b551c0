import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, TLSSocket, createSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBatchWriter } from './file-batch-writer.js';
import { SocketReceiver } from './socket-receiver.js';

const KiB = 1024;
const MiB = 1024 * 1024;
const SIZES = [0, 1, 64 * KiB - 1, 64 * KiB, 64 * KiB + 1, MiB - 1, MiB, MiB + 1, 3 * MiB + 7];

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ftpkit-bulk-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

/** Sends `data` in odd-sized writes (so batches never line up with writes), then ends. */
function sendAll(socket: Socket, data: Buffer): void {
  let off = 0;
  const step = 100_003;
  const pump = (): void => {
    while (off < data.length) {
      const piece = data.subarray(off, off + step);
      off += piece.length;
      if (!socket.write(piece)) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
}

/** Receives everything into a file through the receiver and the batch writer; returns the file. */
async function receiveToFile(receiver: SocketReceiver, file: string): Promise<{ bytes: Buffer; written: number }> {
  const fh = await open(file, 'w');
  const writer = new FileBatchWriter(fh, 0, { written: (c) => receiver.release(c) });
  try {
    for await (const batch of receiver) await writer.write(batch);
    await writer.finish();
  } finally {
    await fh.close();
  }
  return { bytes: readFileSync(file), written: writer.written };
}

describe('SocketReceiver + FileBatchWriter: socket to file', () => {
  for (const size of SIZES) {
    it(`accepted socket (adopted user buffer): exactly ${size} bytes`, async () => {
      const data = randomBytes(size);
      const server = createServer();
      const port = await listen(server);
      const accepted = new Promise<Socket>((r) => server.once('connection', r));
      const client = netConnect(port, '127.0.0.1', () => sendAll(client, data));
      const receiver = new SocketReceiver().attach(await accepted);
      server.close();
      expect(receiver.mode).toBe('adopted');
      const out = await receiveToFile(receiver, join(dir, `a-${size}`));
      expect(out.bytes.length).toBe(size);
      expect(sha(out.bytes)).toBe(sha(data));
      expect(out.written).toBe(size);
      expect(receiver.received).toBe(size);
    });

    it(`connected socket (onread): exactly ${size} bytes`, async () => {
      const data = randomBytes(size);
      const server = createServer((s) => {
        server.close();
        sendAll(s, data);
      });
      const port = await listen(server);
      const receiver = new SocketReceiver();
      const socket = netConnect({ port, host: '127.0.0.1', onread: receiver.onread });
      receiver.attach(socket);
      expect(receiver.mode).toBe('onread');
      const out = await receiveToFile(receiver, join(dir, `c-${size}`));
      expect(sha(out.bytes)).toBe(sha(data));
      expect(out.written).toBe(size);
    });
  }

  it('bytes that arrived before attach are kept, in order', async () => {
    const data = randomBytes(200 * KiB + 3);
    const server = createServer();
    const port = await listen(server);
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const client = netConnect(port, '127.0.0.1', () => sendAll(client, data));
    const sock = await accepted;
    server.close();
    // Node reads ahead into its own buffers before the receiver exists.
    await new Promise((r) => setTimeout(r, 100));
    const out = await receiveToFile(new SocketReceiver().attach(sock), join(dir, 'early'));
    expect(sha(out.bytes)).toBe(sha(data));
  });

  it('a connection cut halfway throws, and the file holds exactly the bytes counted', async () => {
    const server = createServer();
    const port = await listen(server);
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const client = netConnect(port, '127.0.0.1');
    const receiver = new SocketReceiver().attach(await accepted);
    server.close();
    const half = randomBytes(1536 * KiB + 5);
    client.write(half, () => setTimeout(() => client.resetAndDestroy(), 50));
    const file = join(dir, 'cut');
    const fh = await open(file, 'w');
    const writer = new FileBatchWriter(fh, 0);
    let consumed = 0;
    const err = await (async () => {
      for await (const batch of receiver) {
        consumed += batch.length;
        await writer.write(batch);
      }
    })().catch((e: unknown) => e);
    await writer.finish();
    await fh.close();
    expect((err as { code?: string }).code).toMatch(/ECONNRESET|ERR_STREAM_PREMATURE_CLOSE/);
    const onDisk = readFileSync(file);
    // Every byte received is handed on before the error (a resumable upload keeps them all).
    expect(consumed).toBe(receiver.received);
    expect(consumed).toBeGreaterThan(MiB);
    expect(onDisk.length).toBe(writer.written);
    expect(onDisk.length).toBe(consumed);
    expect(sha(onDisk)).toBe(sha(half.subarray(0, consumed)));
  });

  it('a destroyed socket (ABOR) ends the iteration with an error, never a clean end', async () => {
    const server = createServer();
    const port = await listen(server);
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const client = netConnect(port, '127.0.0.1');
    client.on('error', () => undefined);
    const sock = await accepted;
    const receiver = new SocketReceiver().attach(sock);
    server.close();
    client.write(randomBytes(10_000));
    setTimeout(() => sock.destroy(), 100);
    const result = await (async () => {
      let n = 0;
      for await (const b of receiver) n += b.length;
      return n;
    })().then(() => 'ended', (e: { code?: string }) => e.code);
    expect(result).toBe('ERR_STREAM_PREMATURE_CLOSE');
    client.destroy();
  });

  it('a slow consumer pauses the socket: at most two batches (plus one filling) are held', async () => {
    const total = 24 * MiB;
    const server = createServer();
    const port = await listen(server);
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const client = netConnect(port, '127.0.0.1', () => sendAll(client, Buffer.alloc(total, 7)));
    const receiver = new SocketReceiver().attach(await accepted);
    server.close();
    let consumed = 0;
    let worst = 0;
    for await (const batch of receiver) {
      consumed += batch.length;
      await new Promise((r) => setTimeout(r, 15));
      worst = Math.max(worst, receiver.received - consumed);
      receiver.release(batch);
    }
    expect(consumed).toBe(total);
    // Unpaused, the fast sender would have put megabytes more ahead of this consumer.
    expect(worst).toBeLessThanOrEqual(3 * MiB);
    // Released batches are reused, not reallocated.
    expect(receiver.pool.idle).toBeGreaterThan(0);
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI) throw new Error('openssl missing: run `pnpm test:setup`');
    return false;
  }
}

describe.runIf(hasOpenssl())('over TLS', () => {
  let keyCert: { key: Buffer; cert: Buffer };
  beforeAll(() => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    keyCert = { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) };
  });

  /** A TLS pair: [server side over an accepted socket, client side]. */
  async function tlsPair(): Promise<[TLSSocket, TLSSocket]> {
    const server = createServer();
    const port = await listen(server);
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const client = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    const raw = await accepted;
    server.close();
    const secure = new TLSSocket(raw, { isServer: true, secureContext: createSecureContext(keyCert) });
    await Promise.all([new Promise((r) => secure.once('secure', r)), new Promise((r) => client.once('secureConnect', r))]);
    return [secure, client];
  }

  it('a TLS socket is received in chunks, exact bytes', async () => {
    const data = randomBytes(3 * MiB + 7);
    const [secure, client] = await tlsPair();
    const receiver = new SocketReceiver().attach(secure);
    expect(receiver.mode).toBe('chunks');
    sendAll(client, data);
    const out = await receiveToFile(receiver, join(dir, 'tls-out'));
    client.destroy();
    expect(sha(out.bytes)).toBe(sha(data));
  });
});
