import { describe, expect, it } from 'vitest';
import type { SessionUser } from '@ftpkit/session';
import { connectData, transferDown } from './faults-support.js';
import { PASSIVE_HOLD_GRACE_MS } from '../src/passive-port-ledger.js';
import { memoryLogger, PASS, startServer, USER } from './harness.js';
import { pasvPort, RawClient } from './raw-client.js';

/** A small passive range somewhere below the ephemeral range; ports busy elsewhere are skipped. */
function smallRange(size: number): [number, number] {
  const base = 20_000 + Math.floor(Math.random() * 9_000);
  return [base, base + size - 1];
}

const users = (user: string, password: string): SessionUser | null => {
  if (password !== PASS) return null;
  return ['alice', 'bob', 'mallory', 'eve'].includes(user) ? { name: user } : null;
};

async function loggedIn(port: number, clients: RawClient[], user = USER): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  await c.login(user, PASS);
  return c;
}

describe('passive port starvation (issue 14.11)', () => {
  it('one session holds at most one passive port: a repeated PASV closes the previous listener', async () => {
    const h = await startServer('memory', { passive: { ports: smallRange(12) } });
    const clients: RawClient[] = [];
    try {
      const c = await loggedIn(h.port, clients);
      const ports: number[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await c.cmd('PASV');
        expect(r.code).toBe(227);
        ports.push(pasvPort(r.text).port);
      }
      // Every listener but the last one is closed: connecting there is refused by the kernel.
      for (const p of new Set(ports.slice(0, -1))) {
        if (p === ports.at(-1)) continue;
        const outcome = await connectData(p).then(
          (s) => {
            s.destroy();
            return 'connected';
          },
          (e: NodeJS.ErrnoException) => e.code,
        );
        expect(outcome).toBe('ECONNREFUSED');
      }
      // The session still transfers.
      expect((await transferDown(c, 'LIST')).replies).toEqual([226]);
    } finally {
      for (const c of clients) c.close();
      await h.close();
    }
  });

  it('one account with many sessions cannot hold the whole range: other users still get a port', async () => {
    const log = memoryLogger();
    // 16 ports, a quarter each: 4 per user. The per-address cap is off (all clients are 127.0.0.1).
    const h = await startServer('memory', {
      authenticate: users,
      logger: log,
      passive: { ports: smallRange(16) },
      limits: { maxPassivePortsPerIpPercent: 0, loginFailureDelayMs: 10, dataTimeoutMs: 10_000 },
    });
    const clients: RawClient[] = [];
    try {
      const sessions: RawClient[] = [];
      for (let i = 0; i < 10; i++) sessions.push(await loggedIn(h.port, clients, 'mallory'));
      // A burst of set-ups is served: nobody has waited long yet.
      for (const c of sessions) expect((await c.cmd('PASV')).code).toBe(227);
      // Ports kept without connecting past the grace period count; asking again does not reset it.
      await new Promise((r) => setTimeout(r, PASSIVE_HOLD_GRACE_MS + 300));
      const codes: number[] = [];
      for (const c of sessions) codes.push((await c.cmd('PASV')).code);
      expect(codes).toEqual([425, 425, 425, 425, 425, 425, 227, 227, 227, 227]);
      expect(log.lines.some((l) => l.level === 'warn' && /PASV\/EPSV refused/.test(l.msg) && /user-cap/.test(String((l.obj as { reason?: string }).reason)))).toBe(true);
      // Another user is not locked out, and transfers.
      const bob = await loggedIn(h.port, clients, 'bob');
      expect((await transferDown(bob, 'LIST')).replies).toEqual([226]);
      // A held port comes back when its session leaves.
      const holder = sessions[9]!;
      holder.close();
      await new Promise<void>((r) => (holder.closed ? r() : holder.socket.once('close', () => r())));
      // The server notices the close a moment later (bounded wait).
      let code = 0;
      for (let j = 0; j < 50 && code !== 229; j++) {
        code = (await sessions[0]!.cmd('EPSV')).code;
        if (code !== 229) await new Promise((r) => setTimeout(r, 20));
      }
      expect(code).toBe(229);
    } finally {
      for (const c of clients) c.close();
      await h.close();
    }
  });

  it('ports held by sessions that hang up right after PASV come back at once, not after the data timeout', async () => {
    // A cap of 4 ports for the user and a long data timeout: a leaked listener would hold its
    // port for 30 s and lock the user out.
    const h = await startServer('memory', {
      authenticate: users,
      passive: { ports: smallRange(16) },
      limits: { maxPassivePortsPerIpPercent: 0, loginFailureDelayMs: 10, dataTimeoutMs: 30_000 },
    });
    const clients: RawClient[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const c = await loggedIn(h.port, clients, 'mallory');
        c.send('PASV');
        c.close();
      }
      const later: RawClient[] = [];
      for (let i = 0; i < 4; i++) later.push(await loggedIn(h.port, clients, 'mallory'));
      await new Promise((r) => setTimeout(r, PASSIVE_HOLD_GRACE_MS + 300));
      const codes: number[] = [];
      for (const c of later) codes.push((await c.cmd('PASV')).code);
      expect(codes).toEqual([227, 227, 227, 227]);
    } finally {
      for (const c of clients) c.close();
      await h.close();
    }
  });

  it('one address with many accounts is capped too', async () => {
    const h = await startServer('memory', {
      authenticate: users,
      passive: { ports: smallRange(16) },
      limits: { maxPassivePortsPerUserPercent: 0, loginFailureDelayMs: 10, dataTimeoutMs: 10_000 },
    });
    const clients: RawClient[] = [];
    try {
      const sessions: RawClient[] = [];
      for (const user of ['alice', 'bob', 'mallory', 'eve', 'alice', 'bob']) sessions.push(await loggedIn(h.port, clients, user));
      for (const c of sessions) expect((await c.cmd('PASV')).code).toBe(227);
      await new Promise((r) => setTimeout(r, PASSIVE_HOLD_GRACE_MS + 300));
      const codes: number[] = [];
      for (const c of sessions) codes.push((await c.cmd('PASV')).code);
      expect(codes).toEqual([425, 425, 227, 227, 227, 227]);
    } finally {
      for (const c of clients) c.close();
      await h.close();
    }
  });

  it('an exhausted range answers 425 and logs a warning', async () => {
    const log = memoryLogger();
    const range = smallRange(4);
    const h = await startServer('memory', {
      logger: log,
      passive: { ports: range },
      limits: { maxPassivePortsPerUserPercent: 0, maxPassivePortsPerIpPercent: 0, loginFailureDelayMs: 10, dataTimeoutMs: 10_000 },
    });
    const clients: RawClient[] = [];
    try {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) codes.push((await (await loggedIn(h.port, clients)).cmd('PASV')).code);
      // At most the 4 ports of the range (fewer if another program holds one), then 425.
      const granted = codes.filter((c) => c === 227).length;
      expect(granted).toBeLessThanOrEqual(4);
      expect(codes.slice(granted).every((c) => c === 425)).toBe(true);
      expect(codes.at(-1)).toBe(425);
      expect(log.lines.some((l) => l.level === 'warn' && /PASV\/EPSV refused/.test(l.msg) && /no free passive port/.test(String((l.obj as { reason?: string }).reason)))).toBe(true);
    } finally {
      for (const c of clients) c.close();
      await h.close();
    }
  });
});
