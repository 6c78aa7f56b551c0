import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { DataChannelError } from '@ftpkit/codec';
import { makeCertificate } from '@ftpkit/test-servers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectOut } from './connect-out.js';
import { ControlConnection } from './control-connection.js';
import { listenPassive } from './passive-listener.js';
import { secureDataSocket } from './secure-data-socket.js';
import { secureClientSocket, tlsSessionOf } from './tls-client.js';
import { TlsSessionCache } from './tls-session-cache.js';

let dir = '';
let ca = '';
let key: Buffer;
let cert: Buffer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftpkit-tls-client-'));
  const made = await makeCertificate(dir);
  ca = made.pem;
  key = await readFile(made.keyFile);
  cert = await readFile(made.certFile);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** A TCP listener on 127.0.0.1; each accepted socket goes to `onSocket` (paused, as the server's listeners hand them out). */
async function listen(onSocket: (s: Socket) => void): Promise<number> {
  const server: Server = createServer({ pauseOnConnect: true }, (s) => {
    s.on('error', () => undefined);
    cleanup.push(() => s.destroy());
    onSocket(s);
  });
  cleanup.push(() => server.close());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

async function connect(port: number): Promise<Socket> {
  const s = await connectOut({ host: '127.0.0.1', port, timeoutMs: 5000 });
  cleanup.push(() => s.destroy());
  return s;
}

const enc = new TextEncoder();
const text = (b: Uint8Array | null): string => Buffer.from(b ?? []).toString();

describe('secureClientSocket (the FTP client is the TLS client)', () => {
  it('checks the certificate: refused without the CA, accepted with it, by IP or by servername', async () => {
    const ctx = createSecureContext({ key, cert });
    const port = await listen((s) => {
      void secureDataSocket(s, { secureContext: ctx, sessionReuse: 'off', timeoutMs: 5000 }).catch(() => undefined);
    });
    const refused = await secureClientSocket(await connect(port), { host: '127.0.0.1', timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataChannelError);
    expect(refused).toMatchObject({ code: 'tls', cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });

    const byIp = await secureClientSocket(await connect(port), { host: '127.0.0.1', ca, timeoutMs: 5000 });
    expect(byIp.authorized).toBe(true);
    byIp.destroy();
    const byName = await secureClientSocket(await connect(port), { host: '127.0.0.1', servername: 'localhost', ca, timeoutMs: 5000 });
    expect(byName.authorized).toBe(true);
    byName.destroy();
    const wrongName = await secureClientSocket(await connect(port), { host: '127.0.0.1', servername: 'example.com', ca, timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(wrongName).toMatchObject({ code: 'tls', cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } });
    const insecure = await secureClientSocket(await connect(port), { host: '127.0.0.1', rejectUnauthorized: false, timeoutMs: 5000 });
    expect(insecure.encrypted).toBe(true);
    insecure.destroy();
  });

  it('times out against a peer that never answers the handshake', async () => {
    const port = await listen(() => undefined);
    const err = await secureClientSocket(await connect(port), { host: '127.0.0.1', ca, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'timeout' });
  });

  it('reports a peer that closes during the handshake', async () => {
    const port = await listen((s) => s.destroy());
    const err = await secureClientSocket(await connect(port), { host: '127.0.0.1', ca, timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'tls' });
  });
});

/**
 * Both ends from this package: the server's control connection (AUTH TLS as the TLS server) and
 * the client's (as the TLS client), then a data connection in each mode, the client resuming its
 * control session as vsftpd's `require_ssl_reuse` demands, and the server under 'require'.
 */
describe.each(['TLSv1.2', 'TLSv1.3'] as const)('both ends over %s', (version) => {
  async function controlPair(): Promise<{ server: ControlConnection; client: ControlConnection; ctx: SecureContext; cache: TlsSessionCache }> {
    const ctx = createSecureContext({ key, cert, maxVersion: version, minVersion: version });
    const cache = new TlsSessionCache();
    let accepted: (s: Socket) => void = () => undefined;
    const serverSocket = new Promise<Socket>((r) => (accepted = r));
    const port = await listen((s) => accepted(s));
    const client = new ControlConnection(await connect(port));
    const server = new ControlConnection(await serverSocket);
    cleanup.push(() => { client.destroy(); server.destroy(); });
    // AUTH TLS; the server's 234 and then plaintext nobody may read as protected.
    client.write([enc.encode('AUTH TLS\r\n')]);
    expect(text(await server.read())).toBe('AUTH TLS\r\n');
    server.write([enc.encode('234 go\r\n230 injected\r\n')]);
    // Both arrived and wait unread on the client, as if sent after the 234 it acted on.
    if (client.socket.readableLength === 0) await new Promise((r) => client.socket.once('readable', r));
    await Promise.all([
      server.upgradeToTls({ secureContext: ctx, sessionCache: cache, timeoutMs: 5000 }),
      client.upgradeToTls({ role: 'client', host: '127.0.0.1', ca, timeoutMs: 5000 }),
    ]);
    expect(client.secure && server.secure).toBe(true);
    server.write([enc.encode('220 protected\r\n')]);
    // Only protected bytes are read after the switch (RFC 4217 §4).
    expect(text(await client.read())).toBe('220 protected\r\n');
    // One more exchange, as a login makes before any data connection: TLS 1.3 tickets sent
    // after the first protected reply have been read by then.
    client.write([enc.encode('PBSZ 0\r\n')]);
    expect(text(await server.read())).toBe('PBSZ 0\r\n');
    server.write([enc.encode('200 ok\r\n')]);
    expect(text(await client.read())).toBe('200 ok\r\n');
    return { server, client, ctx, cache };
  }

  it('passive mode: the server listens, the client connects and resumes the control session', async () => {
    const { server, client, ctx, cache } = await controlPair();
    const listener = await listenPassive({ host: server.localAddress, controlPeer: server.remoteAddress });
    cleanup.push(() => listener.close());
    const raw = await connectOut({ host: '127.0.0.1', port: listener.port, timeoutMs: 5000 });
    const [clientSide, serverSide] = await Promise.all([
      secureClientSocket(raw, { host: '127.0.0.1', ca, session: tlsSessionOf(client.socket), timeoutMs: 5000 }),
      listener.accept(5000).then((s) => secureDataSocket(s, { secureContext: ctx, sessionCache: cache, sessionReuse: 'require', timeoutMs: 5000 })),
    ]);
    expect(clientSide.isSessionReused()).toBe(true);
    expect(serverSide.isSessionReused()).toBe(true);
    serverSide.end('data');
    const chunks: Buffer[] = [];
    for await (const c of clientSide) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('data');
  });

  it('active mode: the client listens, the server connects; a fresh session is refused under require', async () => {
    const { server, client, ctx, cache } = await controlPair();
    for (const session of [tlsSessionOf(client.socket), undefined]) {
      const listener = await listenPassive({ host: client.localAddress, controlPeer: client.remoteAddress });
      cleanup.push(() => listener.close());
      const raw = await connectOut({ host: client.localAddress, port: listener.port, localAddress: server.localAddress, timeoutMs: 5000 });
      cleanup.push(() => raw.destroy());
      const accepted = await listener.accept(5000);
      const [clientSide, serverSide] = await Promise.allSettled([
        secureClientSocket(accepted, { host: '127.0.0.1', ca, session, timeoutMs: 5000 }),
        secureDataSocket(raw, { secureContext: ctx, sessionCache: cache, sessionReuse: 'require', timeoutMs: 5000 }),
      ]);
      if (session !== undefined) {
        expect(clientSide.status === 'fulfilled' && clientSide.value.isSessionReused()).toBe(true);
        expect(serverSide.status).toBe('fulfilled');
      } else {
        expect(serverSide).toMatchObject({ status: 'rejected', reason: { code: 'tls', message: 'TLS session of data connection not resumed' } });
      }
      if (clientSide.status === 'fulfilled') clientSide.value.destroy();
      if (serverSide.status === 'fulfilled') serverSide.value.destroy();
    }
  });
});
