import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBanList } from '../src/index.js';
import { PASS, USER, payload, putFile, requireProgram, startServer, type Harness } from './harness.js';
import { RawClient } from './raw-client.js';

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('live view: sessions(), disconnect(), bans(), unban()', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('shows a running download with its bytes growing and its size, then the session idle', async (ctx) => {
    if (!requireProgram('curl')) return ctx.skip();
    h = await startServer('memory');
    const size = 24 * 1024 * 1024;
    await h.storage.mkdir('/dir');
    await putFile(h.storage, '/dir/big.bin', payload(size));
    const curl = spawn('curl', ['-sS', '--limit-rate', '2M', '-o', '/dev/null', `${h.url}/dir/big.bin`]);
    const server = h.server;
    const first = await until('a download in sessions()', () => server.sessions().find((s) => s.transfer?.direction === 'download'));
    expect(first.user).toBe(USER);
    expect(first.remoteAddress).toBe('127.0.0.1');
    expect(first.secure).toBe(false);
    expect(first.transfer?.path).toBe('/dir/big.bin');
    // The size is looked up on the first view and shown by a later one.
    const sized = await until('the size', () => server.sessions().find((s) => s.transfer?.size === size));
    const later = await until('more bytes', () =>
      server.sessions().find((s) => s.id === first.id && (s.transfer?.bytes ?? 0) > (sized.transfer?.bytes ?? 0)),
    );
    expect(later.transfer!.bytes).toBeLessThan(size);
    curl.kill('SIGKILL');
    await until('the session to go', () => (server.sessions().some((s) => s.id === first.id) ? undefined : true));
  });

  it('a session is shown before login, with its directory after CWD', async () => {
    h = await startServer('memory');
    await h.storage.mkdir('/sub');
    const c = await RawClient.connect(h.port);
    try {
      await until('the session', () => (h!.server.sessions().length === 1 ? true : undefined));
      expect(h.server.sessions()[0]!.user).toBeUndefined();
      await c.login(USER, PASS);
      expect((await c.cmd('CWD /sub')).code).toBe(250);
      expect(h.server.sessions()[0]).toMatchObject({ user: USER, cwd: '/sub' });
      expect(h.server.sessions()[0]!.transfer).toBeUndefined();
    } finally {
      c.close();
    }
  });

  it('disconnect(id): the client gets 421 and its running transfer ends aborted', async () => {
    h = await startServer('memory', { limits: { dataTimeoutMs: 10_000, loginFailureDelayMs: 10 } });
    const victim = await RawClient.connect(h.port);
    const other = await RawClient.connect(h.port);
    try {
      await victim.login(USER, PASS);
      await other.login(USER, PASS);
      const ended = new Promise<{ aborted: boolean }>((resolve) => h!.server.once('transfer-end', resolve));
      // An upload that never ends: the data connection stays open.
      const pasv = await victim.cmd('PASV');
      const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(pasv.text)!;
      const { connect } = await import('node:net');
      const data = connect(Number(m[5]) * 256 + Number(m[6]), '127.0.0.1');
      data.on('error', () => undefined);
      victim.send('STOR never-ends.bin');
      expect((await victim.next())?.code).toBe(150);
      data.write(Buffer.alloc(1000));
      const id = await until('the upload', () => h!.server.sessions().find((s) => s.transfer?.direction === 'upload')?.id);
      expect(h.server.disconnect(id)).toBe(true);
      expect(h.server.disconnect(id + 1000)).toBe(false);
      const replies: number[] = [];
      for (;;) {
        const r = await victim.next(5_000);
        if (r === undefined) break;
        replies.push(r.code);
      }
      expect(replies).toContain(421);
      expect((await ended).aborted).toBe(true);
      data.destroy();
      // The other session is untouched.
      expect((await other.cmd('NOOP')).code).toBe(200);
      await until('the victim gone', () => (h!.server.sessions().length === 1 ? true : undefined));
    } finally {
      victim.close();
      other.close();
    }
  });

  it('bans() lists an address banned by failed logins; unban() lets it log in again', async () => {
    h = await startServer('memory', {
      banList: createMemoryBanList({ maxFailures: 3, banMs: 600_000 }),
      limits: { loginFailureDelayMs: 1, maxLoginFailuresPerIp: 3 },
    });
    for (let i = 0; i < 3; i++) {
      const c = await RawClient.connect(h.port);
      await c.next();
      c.send(`USER ${USER}`);
      await c.next();
      c.send('PASS wrong');
      expect((await c.next())?.code).toBe(530);
      c.close();
    }
    const bans = await h.server.bans();
    expect(bans.map((b) => b.address)).toEqual(['127.0.0.1']);
    expect(bans[0]!.until).toBeGreaterThan(Date.now());
    const refused = await RawClient.connect(h.port);
    expect((await refused.next())?.code).toBe(421);
    refused.close();
    expect(await h.server.unban('127.0.0.1')).toBe(true);
    expect(await h.server.unban('127.0.0.1')).toBe(false);
    expect(await h.server.bans()).toEqual([]);
    const again = await RawClient.connect(h.port);
    try {
      await again.login(USER, PASS);
    } finally {
      again.close();
    }
  });
});
