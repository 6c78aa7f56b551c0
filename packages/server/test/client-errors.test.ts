import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FtpClient, FtpConnectionError, FtpError, FtpLocalError, FtpReplyError } from '@ftpkit/client';
import { PASS, payload, putFile, startServer, tempDir, USER, type Harness } from './harness.js';

let h: Harness | undefined;
const clients: FtpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  await h?.close();
  h = undefined;
});

async function connect(port: number, user = USER, password = PASS): Promise<FtpClient> {
  const c = await FtpClient.connect({ host: '127.0.0.1', port, user, password, retries: 0, keepaliveInterval: 0 });
  clients.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => expect.fail('expected a rejection'), (err: unknown) => err);
}

describe('FtpClient errors against @ftpkit/server: codes and reasons to branch on', () => {
  it('tells not-found, exists and denied apart though all three are 550', { timeout: 30_000 }, async () => {
    h = await startServer('memory');
    await putFile(h.storage, '/here.txt', payload(10));
    const alice = await connect(h.port);
    const missing = await failure(alice.download('/nope.txt', join(tempDir(), 'nope.txt')));
    expect(missing).toBeInstanceOf(FtpReplyError);
    expect(missing).toMatchObject({ code: 'FTP_REPLY', replyCode: 550, reason: 'not-found' });
    await alice.mkdir('/d');
    expect(await failure(alice.mkdir('/d'))).toMatchObject({ code: 'FTP_REPLY', replyCode: 550, reason: 'exists' });
    const reader = await connect(h.port, 'reader', 'r');
    expect(await failure(reader.remove('/here.txt'))).toMatchObject({ code: 'FTP_REPLY', replyCode: 550, reason: 'denied' });
  });

  it('uploading a local file that does not exist is an FtpLocalError (FTP_LOCAL, cause ENOENT), not a raw Node error', { timeout: 30_000 }, async () => {
    h = await startServer('memory');
    const alice = await connect(h.port);
    const local = join(tempDir(), 'missing.bin');
    const err = await failure(alice.upload(local, '/x.bin'));
    expect(err).toBeInstanceOf(FtpError);
    expect(err).toBeInstanceOf(FtpLocalError);
    expect(err).toMatchObject({ code: 'FTP_LOCAL', path: local });
    expect((err as FtpLocalError).cause).toMatchObject({ code: 'ENOENT' });
    // the connection is still usable
    expect(await alice.pwd()).toBe('/');
  });

  it('after the server shuts down, an idle client gets a connection error (FTP_CONNECTION), not a 421 reply', { timeout: 30_000 }, async () => {
    h = await startServer('memory');
    const alice = await connect(h.port);
    expect(await alice.pwd()).toBe('/');
    await h.server.close({ graceMs: 200 });
    const err = await failure(alice.list('/'));
    expect(err).toBeInstanceOf(FtpConnectionError);
    expect(err).toMatchObject({ code: 'FTP_CONNECTION' });
    expect(err).not.toBeInstanceOf(FtpReplyError);
  });

  it('an idle client whose server closed it with 421 reconnects on its next call (the server is back)', { timeout: 30_000 }, async () => {
    h = await startServer('memory', { limits: { loginFailureDelayMs: 10, dataTimeoutMs: 10_000, idleTimeoutMs: 300 } });
    const alice = await connect(h.port);
    expect(await alice.pwd()).toBe('/');
    // bounded: the server's idle timeout closes the connection well within this
    for (let i = 0; i < 100 && h.server.connectionCount > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await alice.list('/')).map((e) => e.name)).toEqual([]);
  });
});
