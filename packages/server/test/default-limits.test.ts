/**
 * The connection limits a server gets with no configuration (issue 18, point 3): many sessions
 * from one address are served, and idle connections that never log in cannot lock users out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/index.js';
import { PASS, python, PY_LOGIN, requireProgram, startServer, USER, type Harness } from './harness.js';
import { RawClient } from './raw-client.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function start(...args: Parameters<typeof startServer>): Promise<Harness> {
  const h = await startServer(...args);
  cleanup.push(() => h.close());
  return h;
}

async function greeted(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  cleanup.push(() => c.close());
  expect((await c.next())?.code).toBe(220);
  return c;
}

describe('default connection limits', () => {
  it('has no per-address cap and a total cap of at least 256', () => {
    expect(DEFAULT_LIMITS.maxConnectionsPerIp).toBe(0);
    expect(DEFAULT_LIMITS.maxConnections).toBeGreaterThanOrEqual(256);
  });

  it('serves 25 logged-in sessions from 127.0.0.1 at once with no limits configured', async () => {
    const h = await start('memory', { limits: { loginFailureDelayMs: 10 } });
    const sessions = await Promise.all(Array.from({ length: 25 }, async () => {
      const c = await RawClient.connect(h.port);
      cleanup.push(() => c.close());
      return c;
    }));
    await Promise.all(sessions.map((s) => s.login(USER, PASS)));
    const replies = await Promise.all(sessions.map((s) => s.cmd('PWD')));
    expect(replies.map((r) => r.code)).toEqual(Array.from({ length: 25 }, () => 257));
  });

  it('when full of connections that never logged in, evicts the oldest so a real client logs in and lists', async () => {
    if (!requireProgram('/usr/bin/python3')) return;
    const CAP = 8;
    const h = await start('memory', { limits: { maxConnections: CAP, loginFailureDelayMs: 10 } });
    const idle: RawClient[] = [];
    for (let i = 0; i < CAP; i++) idle.push(await greeted(h.port));
    const r = await python(`${PY_LOGIN}\nftp.mkd('made')\nprint(ftp.nlst())\nftp.quit()\n`, h.port, 30_000);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe("['made']");
    // The oldest idle connection made room for it and was told why.
    const first = await idle[0]?.next();
    expect(first?.code).toBe(421);
    expect(await idle[0]?.next()).toBeUndefined();
    // The rest are still connected.
    expect((await idle[CAP - 1]?.cmd('NOOP'))?.code).toBe(200);
  });
});
