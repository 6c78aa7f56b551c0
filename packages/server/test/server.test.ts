import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferEndEvent } from '../src/index.js';
import { PASS, payload, putFile, python, PY_LOGIN, requireProgram, run, startServer, USER, type Harness } from './harness.js';
import { pasvPort, RawClient } from './raw-client.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function start(...args: Parameters<typeof startServer>): Promise<Harness> {
  const h = await startServer(...args);
  cleanup.push(() => h.close());
  return h;
}

async function client(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  cleanup.push(() => c.close());
  return c;
}

function dataSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
    cleanup.push(() => s.destroy());
  });
}

function readAll(s: Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

describe('FtpServer', () => {
  it('emits typed events for a session with a failed login and transfers', async () => {
    const h = await start('memory');
    await putFile(h.storage, '/e.txt', Buffer.from('event data'));
    const seen: string[] = [];
    const ends: TransferEndEvent[] = [];
    h.server.on('connection-start', (c) => seen.push(`start ${c.remoteAddress}`));
    h.server.on('login-failed', (e) => seen.push(`failed ${e.user} ${e.failures}`));
    h.server.on('login', (e) => seen.push(`login ${e.user.name}`));
    h.server.on('transfer-start', (e) => seen.push(`tstart ${e.direction} ${e.path}`));
    h.server.on('transfer-end', (e) => ends.push(e));
    const ended = new Promise<void>((resolve) => h.server.on('connection-end', (e) => {
      seen.push(`end ${e.user}`);
      resolve();
    }));
    const c = await client(h.port);
    expect((await c.next())?.code).toBe(220);
    await c.cmd('USER nobody');
    expect((await c.cmd('PASS nope')).code).toBe(530);
    await c.cmd(`USER ${USER}`);
    expect((await c.cmd(`PASS ${PASS}`)).code).toBe(230);
    const { port } = pasvPort((await c.cmd('PASV')).text);
    const ds = await dataSocket(port);
    const body = readAll(ds);
    expect((await c.cmd('RETR e.txt')).code).toBe(150);
    expect((await c.next())?.code).toBe(226);
    expect((await body).toString()).toBe('event data');
    expect((await c.cmd('QUIT')).code).toBe(221);
    await ended;
    expect(seen).toEqual(['start 127.0.0.1', 'failed nobody 1', `login ${USER}`, 'tstart download /e.txt', `end ${USER}`]);
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ path: '/e.txt', bytes: 10, direction: 'download', ok: true, user: USER });
    expect(ends[0]?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports failed uploads in transfer-end (data connection reset); a missing directory is 550 before any 150, with no event', async () => {
    const h = await start('memory');
    const ends: TransferEndEvent[] = [];
    h.server.on('transfer-end', (e) => ends.push(e));
    const c = await client(h.port);
    await c.login(USER, PASS);
    const { port } = pasvPort((await c.cmd('PASV')).text);
    const ds = await dataSocket(port);
    expect((await c.cmd('STOR /no/such/dir/x.txt')).code).toBe(550);
    // The refusal kept the prepared data connection for the next transfer.
    expect((await c.cmd('STOR reset.bin')).code).toBe(150);
    ds.write(payload(100_000));
    await new Promise((r) => setTimeout(r, 100));
    ds.resetAndDestroy();
    expect((await c.next())?.code).toBe(426);
    expect(ends.map((e) => [e.path, e.direction, e.ok, e.aborted])).toEqual([['/reset.bin', 'upload', false, false]]);
    expect(ends[0]?.bytes).toBeGreaterThan(0);
  });

  it('refuses connections above maxConnections (all logged in) and maxConnectionsPerIp with 421', async () => {
    const h = await start('memory', { limits: { maxConnections: 2, loginFailureDelayMs: 0 } });
    const a = await client(h.port);
    const b = await client(h.port);
    await a.login(USER, PASS);
    await b.login(USER, PASS);
    const c = await client(h.port);
    expect((await c.next())?.code).toBe(421);
    a.close();
    await new Promise((r) => setTimeout(r, 100));
    const d = await client(h.port);
    expect((await d.next())?.code).toBe(220);

    const h2 = await start('memory', { limits: { maxConnectionsPerIp: 1 } });
    const e = await client(h2.port);
    expect((await e.next())?.code).toBe(220);
    const f = await client(h2.port);
    expect((await f.next())?.code).toBe(421);
  });

  it('when full, closes the oldest connection that never logged in to make room', async () => {
    const h = await start('memory', { limits: { maxConnections: 2 } });
    const a = await client(h.port);
    expect((await a.next())?.code).toBe(220);
    const b = await client(h.port);
    await b.login(USER, PASS);
    const c = await client(h.port);
    await c.login(USER, PASS);
    expect((await a.next())?.code).toBe(421);
    expect((await b.cmd('NOOP')).code).toBe(200);
  });

  it('closes a connection that does not log in within loginTimeoutMs', async () => {
    const h = await start('memory', { limits: { loginTimeoutMs: 200 } });
    const c = await client(h.port);
    expect((await c.next())?.code).toBe(220);
    expect((await c.cmd('NOOP')).code).toBe(200);
    expect((await c.next(5_000))?.code).toBe(421);
    const d = await client(h.port);
    await d.login(USER, PASS);
    await new Promise((r) => setTimeout(r, 400));
    expect((await d.cmd('NOOP')).code).toBe(200);
  });

  it('slowloris: 500 connections trickling bytes from 40 addresses do not stop a real client', async () => {
    // A total cap below the flood (the machine-sized default may be above it): the server is full.
    const h = await start('memory', { limits: { loginFailureDelayMs: 0, maxConnections: 256 } });
    await putFile(h.storage, '/real.txt', Buffer.from('still served'));
    const slow: Socket[] = [];
    const timers: NodeJS.Timeout[] = [];
    cleanup.push(() => {
      for (const t of timers) clearInterval(t);
      for (const s of slow) s.destroy();
    });
    for (let i = 0; i < 500; i++) {
      const s = connect({ host: '127.0.0.1', port: h.port, localAddress: `127.0.1.${(i % 40) + 1}` });
      s.on('error', () => undefined);
      s.on('data', () => undefined);
      slow.push(s);
      timers.push(setInterval(() => s.write('N'), 1_000));
    }
    await new Promise((r) => setTimeout(r, 1_500));
    const c = await client(h.port);
    await c.login(USER, PASS);
    const { port } = pasvPort((await c.cmd('PASV')).text);
    const ds = await dataSocket(port);
    const body = readAll(ds);
    expect((await c.cmd('RETR real.txt')).code).toBe(150);
    expect((await body).toString()).toBe('still served');
    expect((await c.next())?.code).toBe(226);
    expect(h.server.connectionCount).toBeLessThanOrEqual(256);
  });

  it('closes an idle connection with 421', async () => {
    const h = await start('memory', { limits: { idleTimeoutMs: 200 } });
    const c = await client(h.port);
    expect((await c.next())?.code).toBe(220);
    expect((await c.next(5_000))?.code).toBe(421);
    expect(await c.next(5_000)).toBeUndefined();
  });

  it('bans an address after too many failed logins (even the right password), and the ban ends', async () => {
    const h = await start('memory', { limits: { maxLoginFailuresPerIp: 2, loginBanMs: 700, loginFailureDelayMs: 0 } });
    const c = await client(h.port);
    expect((await c.next())?.code).toBe(220);
    for (let i = 0; i < 2; i++) {
      await c.cmd(`USER ${USER}`);
      expect((await c.cmd('PASS wrong')).code).toBe(530);
    }
    await c.cmd(`USER ${USER}`);
    expect((await c.cmd(`PASS ${PASS}`)).code).toBe(530);
    const d = await client(h.port);
    expect((await d.next())?.code).toBe(421);
    await new Promise((r) => setTimeout(r, 800));
    const e = await client(h.port);
    await e.login(USER, PASS);
  });

  it('limits download and upload bandwidth per session', async () => {
    const h = await start('memory', { limits: { downloadBytesPerSecond: 256 * 1024, uploadBytesPerSecond: 256 * 1024 } });
    const data = payload(768 * 1024, 3);
    await putFile(h.storage, '/rate.bin', data);
    const c = await client(h.port);
    await c.login(USER, PASS);
    await c.cmd('TYPE I');
    let { port } = pasvPort((await c.cmd('PASV')).text);
    let ds = await dataSocket(port);
    const body = readAll(ds);
    let t0 = Date.now();
    expect((await c.cmd('RETR rate.bin')).code).toBe(150);
    expect((await body).length).toBe(data.length);
    expect((await c.next())?.code).toBe(226);
    // 768 KiB at 256 KiB/s after a 256 KiB burst: about 2 s.
    expect(Date.now() - t0).toBeGreaterThan(1500);
    ({ port } = pasvPort((await c.cmd('PASV')).text));
    ds = await dataSocket(port);
    t0 = Date.now();
    expect((await c.cmd('STOR rate-up.bin')).code).toBe(150);
    ds.end(data);
    expect((await c.next(20_000))?.code).toBe(226);
    expect(Date.now() - t0).toBeGreaterThan(1500);
  });

  it('drops a data connection whose client never reads, after the data timeout (426, transfer-end not ok)', async () => {
    const h = await start('memory', { limits: { dataTimeoutMs: 500 } });
    await putFile(h.storage, '/big.bin', payload(32 * 1024 * 1024, 1));
    const ends: TransferEndEvent[] = [];
    h.server.on('transfer-end', (e) => ends.push(e));
    const c = await client(h.port);
    await c.login(USER, PASS);
    await c.cmd('TYPE I');
    const { port } = pasvPort((await c.cmd('PASV')).text);
    const ds = await dataSocket(port);
    ds.pause();
    const t0 = Date.now();
    expect((await c.cmd('RETR big.bin')).code).toBe(150);
    expect((await c.next(10_000))?.code).toBe(426);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(ends).toHaveLength(1);
    expect(ends[0]?.ok).toBe(false);
    expect((await c.cmd('NOOP')).code).toBe(200);
  });

  it('a 256 MiB STOR and RETR on local storage hold memory flat (process RSS grows by under 96 MiB)', async () => {
    const h = await start('local');
    const c = await client(h.port);
    await c.login(USER, PASS);
    await c.cmd('TYPE I');
    const MiB = 1024 * 1024;
    const total = 256 * MiB;
    const block = payload(MiB);
    const base = process.memoryUsage.rss();
    let peak = base;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 10);
    try {
      const up = await dataSocket(pasvPort((await c.cmd('PASV')).text).port);
      expect((await c.cmd('STOR big.bin')).code).toBe(150);
      for (let sent = 0; sent < total; sent += MiB) {
        if (!up.write(block)) await new Promise((r) => up.once('drain', r));
      }
      up.end();
      expect((await c.next(60_000))?.code).toBe(226);
      const down = await dataSocket(pasvPort((await c.cmd('PASV')).text).port);
      let got = 0;
      down.on('data', (d: Buffer) => { got += d.length; });
      const closed = new Promise((r) => down.once('close', r));
      expect((await c.cmd('RETR big.bin')).code).toBe(150);
      await closed;
      expect((await c.next(60_000))?.code).toBe(226);
      expect(got).toBe(total);
    } finally {
      clearInterval(sampler);
    }
    expect((await h.storage.stat('/big.bin')).size).toBe(total);
    expect(peak - base, `RSS growth ${((peak - base) / MiB).toFixed(1)} MiB`).toBeLessThan(96 * MiB);
  });

  it('enforces a per-user byte quota during uploads (552), counting what is stored', async () => {
    let storage: import('@ftpkit/storage').StorageAdapter | undefined;
    const used = async (): Promise<number> => {
      let total = 0;
      for await (const st of storage?.list('/') ?? []) total += st.type === 'file' ? st.size : 0;
      return total;
    };
    const h = await start('memory', {
      authenticate: (u, p) => (u === 'q' && p === 'q' ? { name: 'q', quota: { limitBytes: 100_000, usedBytes: used } } : null),
      uploadMode: 'atomic',
    });
    storage = h.storage;
    await putFile(h.storage, '/existing.bin', payload(30_000));
    const c = await client(h.port);
    await c.login('q', 'q');
    await c.cmd('TYPE I');
    const up = async (name: string, size: number): Promise<number | undefined> => {
      const { port } = pasvPort((await c.cmd('PASV')).text);
      const ds = await dataSocket(port);
      ds.on('error', () => undefined);
      expect((await c.cmd(`STOR ${name}`)).code).toBe(150);
      ds.end(payload(size));
      return (await c.next(10_000))?.code;
    };
    expect(await up('fits.bin', 60_000)).toBe(226);
    expect(await up('too-big.bin', 20_000)).toBe(552);
    await expect(h.storage.stat('/too-big.bin')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await up('small.bin', 5_000)).toBe(226);
  });

  it('frees a passive port nobody connects to after the data timeout', async () => {
    const h = await start('memory', { limits: { dataTimeoutMs: 300 } });
    await putFile(h.storage, '/x', Buffer.from('x'));
    const c = await client(h.port);
    await c.login(USER, PASS);
    const { port } = pasvPort((await c.cmd('PASV')).text);
    await new Promise((r) => setTimeout(r, 600));
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    expect((await c.cmd('RETR x')).code).toBe(425);
  });

  it('active mode can connect from control port minus one (RFC 959 L-1)', async () => {
    const h = await start('memory', { active: { sourcePortMinusOne: true } });
    await putFile(h.storage, '/l1.txt', Buffer.from('from L-1'));
    const c = await client(h.port);
    await c.login(USER, PASS);
    const listener = createServer();
    cleanup.push(() => listener.close());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const lport = (listener.address() as { port: number }).port;
    const accepted = new Promise<Socket>((r) => listener.once('connection', r));
    // Port L-1 may be taken by some other socket on this machine; then the fallback is correct too.
    const probe = createServer();
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(h.port - 1, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    expect((await c.cmd(`PORT 127,0,0,1,${lport >> 8},${lport & 255}`)).code).toBe(200);
    c.send('RETR l1.txt');
    const ds = await accepted;
    const sourcePort = ds.remotePort;
    const body = readAll(ds);
    expect((await c.next())?.code).toBe(150);
    expect((await body).toString()).toBe('from L-1');
    expect((await c.next())?.code).toBe(226);
    if (free) expect(sourcePort).toBe(h.port - 1);
    else expect(sourcePort).not.toBe(h.port - 1);
  });

  it('serves IPv6 clients (EPSV/EPRT over ::1)', async (ctx) => {
    if (!requireProgram('curl')) return ctx.skip();
    const h = await startServer('memory');
    cleanup.push(() => h.close());
    const server = (await import('../src/index.js')).createFtpServer({
      storage: h.storage,
      authenticate: (u, p) => (u === USER && p === PASS ? { name: USER } : null),
    });
    const addr = await server.listen(0, '::1').catch(() => undefined);
    cleanup.push(() => server.close({ graceMs: 0 }));
    if (addr === undefined) return ctx.skip();
    await putFile(h.storage, '/v6.txt', Buffer.from('over ipv6'));
    const url = `ftp://${USER}:${encodeURIComponent(PASS)}@[::1]:${addr.port}/v6.txt`;
    const passive = await run('curl', ['-sS', '-g', '--max-time', '20', url]);
    expect(passive.stdout).toBe('over ipv6');
    const active = await run('curl', ['-sS', '-g', '--max-time', '20', '-P', '::1', url]);
    expect(active.stdout).toBe('over ipv6');
  });

  it('announces a public address and uses the passive port range', async () => {
    const probe = await start('memory');
    const base = probe.port + 1;
    const h = await start('memory', {
      passive: { ports: [base, base + 4], publicAddress: (client) => (client === '127.0.0.1' ? '10.9.8.7' : '1.2.3.4') },
    });
    const c = await client(h.port);
    await c.login(USER, PASS);
    const r = await c.cmd('PASV');
    expect(r.code).toBe(227);
    const hp = pasvPort(r.text);
    expect(hp.host).toBe('10.9.8.7');
    expect(hp.port).toBeGreaterThanOrEqual(base);
    expect(hp.port).toBeLessThanOrEqual(base + 4);
    const e = await c.cmd('EPSV');
    expect(e.code).toBe(229);
  });

  it('close(): lets a running transfer finish within graceMs, then 421; new connections refused', async () => {
    const h = await start('memory');
    const data = payload(8 * 1024 * 1024, 8);
    await putFile(h.storage, '/slow.bin', data);
    const c = await client(h.port);
    await c.login(USER, PASS);
    await c.cmd('TYPE I');
    const { port } = pasvPort((await c.cmd('PASV')).text);
    const ds = await dataSocket(port);
    ds.pause();
    expect((await c.cmd('RETR slow.bin')).code).toBe(150);
    // The control connection is read during the transfer: STAT answers at once.
    const stat = await c.cmd('STAT');
    expect(stat.code).toBe(211);
    const closing = h.server.close({ graceMs: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
    const late = await RawClient.connect(h.port).catch(() => undefined);
    if (late) {
      cleanup.push(() => late.close());
      const r = await late.next().catch(() => undefined);
      expect(r === undefined || r.code === 421).toBe(true);
    }
    const body = readAll(ds);
    ds.resume();
    expect((await body).length).toBe(data.length);
    expect((await c.next())?.code).toBe(226);
    expect((await c.next())?.code).toBe(421);
    await closing;
  });

  it('close(): cuts a transfer that outlives graceMs', async () => {
    const h = await start('memory');
    await putFile(h.storage, '/stuck.bin', payload(16 * 1024 * 1024, 6));
    const c = await client(h.port);
    await c.login(USER, PASS);
    const { port } = pasvPort((await c.cmd('PASV')).text);
    const ds = await dataSocket(port);
    ds.pause();
    expect((await c.cmd('RETR stuck.bin')).code).toBe(150);
    const t0 = Date.now();
    await h.server.close({ graceMs: 300 });
    expect(Date.now() - t0).toBeLessThan(8_000);
    const codes: number[] = [];
    for (;;) {
      const r = await c.next(5_000).catch(() => undefined);
      if (!r) break;
      codes.push(r.code);
    }
    expect(codes).toContain(421);
  });

  it('serves 50 clients at once, each doing a round trip', async (ctx) => {
    if (!requireProgram('/usr/bin/python3')) return ctx.skip();
    const h = await start('local', { limits: { maxConnectionsPerIp: 64 } });
    const r = await python(
      `
import ftplib, io, os, hashlib, threading
port = int(os.environ['FTP_PORT'])
errors = []
ok = []
def worker(i):
    try:
        ftp = ftplib.FTP()
        ftp.connect('127.0.0.1', port, timeout=60)
        ftp.login(os.environ['FTP_USER'], os.environ['FTP_PASS'])
        data = os.urandom(10000 + i * 1000)
        ftp.storbinary('STOR client-%d.bin' % i, io.BytesIO(data))
        buf = io.BytesIO()
        ftp.retrbinary('RETR client-%d.bin' % i, buf.write)
        assert buf.getvalue() == data
        ftp.quit()
        ok.append(i)
    except Exception as e:
        errors.append('%d: %r' % (i, e))
threads = [threading.Thread(target=worker, args=(i,)) for i in range(50)]
for t in threads: t.start()
for t in threads: t.join(90)
print(len(ok), errors)
`,
      h.port,
      120_000,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('50 []');
  });

  it('HASH streams SHA-256, MD5, CRC32 and SHA-1 digests', async (ctx) => {
    if (!requireProgram('/usr/bin/python3')) return ctx.skip();
    const h = await start('memory');
    await putFile(h.storage, '/h.txt', Buffer.from('123456789'));
    const r = await python(
      `${PY_LOGIN}
for alg in ['SHA-256', 'MD5', 'CRC32', 'SHA-1']:
    ftp.sendcmd('OPTS HASH ' + alg)
    print(ftp.sendcmd('HASH h.txt'))
ftp.quit()
`,
      h.port,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225');
    expect(r.stdout).toContain('25f9e794323b453885f5181f1b624d0b');
    expect(r.stdout).toContain('cbf43926');
    expect(r.stdout).toContain('f7c3bc1d808e04732adf679965ccc34ca7ae3441');
  });
});
