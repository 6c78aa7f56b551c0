import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createSecureContext } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { DataChannelError } from '@ftpkit/codec';
import { ControlConnection } from './control-connection.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

async function pair(): Promise<{ conn: ControlConnection; client: Socket }> {
  const server: Server = createServer({ pauseOnConnect: true });
  cleanup.push(() => server.close());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  const client = netConnect(port, '127.0.0.1');
  client.on('error', () => undefined);
  cleanup.push(() => client.destroy());
  const conn = new ControlConnection(await accepted);
  cleanup.push(() => conn.destroy());
  return { conn, client };
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('ControlConnection', () => {
  it('reads chunks in order and null at end', async () => {
    const { conn, client } = await pair();
    expect(conn.remoteAddress).toBe('127.0.0.1');
    client.write('USER a\r\n');
    const first = await conn.read();
    expect(Buffer.from(first ?? []).toString()).toBe('USER a\r\n');
    client.end('PASS b\r\n');
    const second = await conn.read();
    expect(Buffer.from(second ?? []).toString()).toBe('PASS b\r\n');
    expect(await conn.read()).toBeNull();
  });

  it('writes in order and flushes before end', async () => {
    const { conn, client } = await pair();
    const received: Buffer[] = [];
    client.on('data', (d: Buffer) => received.push(d));
    const enc = new TextEncoder();
    conn.write([enc.encode('220 a\r\n'), enc.encode('331 b\r\n')]);
    conn.write([enc.encode('230 c\r\n')]);
    await conn.drained();
    await conn.end();
    await new Promise((r) => client.once('close', r));
    expect(Buffer.concat(received).toString()).toBe('220 a\r\n331 b\r\n230 c\r\n');
  });

  it('upgrades to TLS and discards plaintext pipelined after AUTH', async () => {
    if (!hasOpenssl()) {
      if (process.env.CI) throw new Error('openssl missing: run `pnpm test:setup`');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    const secureContext = createSecureContext({
      key: readFileSync(join(dir, 'key.pem')),
      cert: readFileSync(join(dir, 'cert.pem')),
    });
    const { conn, client } = await pair();
    client.write('AUTH TLS\r\nUSER evil\r\n');
    // The driver reads the chunk; the session acts on AUTH and drops what followed it.
    expect(Buffer.from((await conn.read()) ?? []).toString()).toContain('AUTH TLS');
    conn.write([new TextEncoder().encode('234 go\r\n')]);
    await new Promise<void>((r) => client.once('data', () => r()));
    const upgraded = conn.upgradeToTls({ secureContext });
    const secureClient = tlsConnect({ socket: client, rejectUnauthorized: false });
    secureClient.on('error', () => undefined);
    await upgraded;
    expect(conn.secure).toBe(true);
    secureClient.write('USER good\r\n');
    const line = await conn.read();
    expect(Buffer.from(line ?? []).toString()).toBe('USER good\r\n');
    secureClient.destroy();
  });

  it('as the server, a failed AUTH TLS handshake rejects with the TLS error or a plain Error, never a DataChannelError', async () => {
    // The session maps a failed upgrade through its error table: a DataChannelError would read as
    // a data-connection failure (425), so the server role keeps its own errors.
    const secureContext = createSecureContext({});
    const garbage = await pair();
    const failed = garbage.conn.upgradeToTls({ secureContext, timeoutMs: 5000 }).catch((e: unknown) => e);
    garbage.client.write('this is not a ClientHello\r\n');
    const err = await failed;
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(DataChannelError);
    expect(err).toMatchObject({ code: expect.stringMatching(/^ERR_SSL_/) as unknown });

    const silent = await pair();
    const timedOut = await silent.conn.upgradeToTls({ secureContext, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(timedOut).not.toBeInstanceOf(DataChannelError);
    expect(timedOut).toMatchObject({ message: 'TLS handshake timed out' });

    const closing = await pair();
    const closed = closing.conn.upgradeToTls({ secureContext, timeoutMs: 5000 }).catch((e: unknown) => e);
    closing.client.end();
    expect(await closed).not.toBeInstanceOf(DataChannelError);
  });
});
