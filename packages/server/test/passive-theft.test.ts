import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPassivePortRange, ephemeralPortRange } from '@ftpkit/transport';
import { connectData, transferDown } from './faults-support.js';
import { makeCert, memoryLogger, PASS, payload, putFile, python, requireProgram, startServer, USER, type Harness } from './harness.js';
import { pasvPort, RawClient } from './raw-client.js';

const hasOpenssl = requireProgram('openssl', ['version']);
const hasPython = requireProgram('/usr/bin/python3');
const SECRET = payload(256 * 1024, 7);

/** A socket that counts what it receives, from a program on the victim's own address. */
function thief(port: number): { socket: Socket; received: () => number; connected: Promise<void>; closed: Promise<void> } {
  let bytes = 0;
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('data', (d: Buffer) => (bytes += d.length));
  socket.on('error', () => undefined);
  return {
    socket,
    received: () => bytes,
    connected: new Promise((resolve) => socket.once('connect', () => resolve())),
    closed: new Promise((resolve) => socket.once('close', () => resolve())),
  };
}

async function pasv(c: RawClient, verb = 'PASV'): Promise<number> {
  const r = await c.cmd(verb);
  expect(r.code).toBe(verb === 'PASV' ? 227 : 229);
  return verb === 'PASV' ? pasvPort(r.text).port : Number(/\|\|\|(\d+)\|/.exec(r.text)?.[1]);
}

function isConsecutiveOrMonotonic(ports: number[]): boolean {
  const steps = ports.slice(1).map((p, i) => p - ports[i]!);
  return steps.every((d) => d === 1) || steps.every((d) => d > 0) || steps.every((d) => d < 0);
}

describe('passive ports (issue 14.4a): unpredictable, outside the ephemeral range by default', () => {
  it('50 PASV replies with the default range are random ports outside the kernel ephemeral range', async () => {
    const h = await startServer('memory');
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      const ports: number[] = [];
      for (let i = 0; i < 50; i++) ports.push(await pasv(c, i % 2 === 0 ? 'PASV' : 'EPSV'));
      const [lo, hi] = ephemeralPortRange();
      const [min, max] = defaultPassivePortRange();
      for (const p of ports) {
        expect(p < lo || p > hi).toBe(true);
        expect(p).toBeGreaterThanOrEqual(min);
        expect(p).toBeLessThanOrEqual(max);
      }
      expect(isConsecutiveOrMonotonic(ports)).toBe(false);
      expect(new Set(ports).size).toBeGreaterThan(45);
    } finally {
      c.close();
      await h.close();
    }
  });

  it('50 PASV replies with a configured range are neither consecutive nor monotonic', async () => {
    const base = 20_000 + Math.floor(Math.random() * 8_000);
    const h = await startServer('memory', { passive: { ports: [base, base + 999] } });
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      const ports: number[] = [];
      for (let i = 0; i < 50; i++) ports.push(await pasv(c));
      expect(ports.every((p) => p >= base && p <= base + 999)).toBe(true);
      expect(isConsecutiveOrMonotonic(ports)).toBe(false);
      const steps = ports.slice(1).map((p, i) => p - ports[i]!);
      expect(steps.filter((d) => d === 1).length).toBeLessThan(5);
    } finally {
      c.close();
      await h.close();
    }
  });
});

describe('same-address data theft (issue 14.4b)', () => {
  let h: Harness;
  const log = memoryLogger();
  beforeAll(async () => {
    h = await startServer('memory', { logger: log });
    await putFile(h.storage, '/secret.bin', SECRET);
  });
  afterAll(() => h.close());

  it('a thief that connects to the announced port first gets nothing; the victim fails cleanly, then succeeds on a new PASV', async () => {
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      await c.cmd('TYPE I');
      const port = await pasv(c);
      const t = thief(port);
      await t.connected;
      // The victim, like ftplib or curl: connect, then RETR on the control connection.
      const victim = await connectData(port).catch(() => undefined);
      victim?.on('error', () => undefined);
      const got: Buffer[] = [];
      victim?.on('data', (d: Buffer) => got.push(d));
      const r = await c.cmd('RETR secret.bin');
      expect(r.code).toBe(425);
      await t.closed;
      victim?.destroy();
      expect(Buffer.concat(got).length).toBe(0);
      // The next transfer on this control connection goes to the victim, never to the thief.
      const again = await transferDown(c, 'RETR secret.bin');
      expect(again.replies).toEqual([226]);
      expect(again.data.equals(SECRET)).toBe(true);
      expect(t.received()).toBe(0);
      expect(log.lines.some((l) => l.level === 'warn' && /second data connection/.test(l.msg))).toBe(true);
    } finally {
      c.close();
    }
  });

  it('a thief that lingers on an unused port gets no data of a later transfer', async () => {
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      await c.cmd('TYPE I');
      const t = thief(await pasv(c));
      await t.connected;
      // The victim never used that port and asks for a new one.
      const down = await transferDown(c, 'RETR secret.bin');
      expect(down.replies).toEqual([226]);
      expect(down.data.equals(SECRET)).toBe(true);
      await t.closed;
      expect(t.received()).toBe(0);
    } finally {
      c.close();
    }
  });

  it('once the transfer took its connection, the port refuses any other', async () => {
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      await c.cmd('TYPE I');
      const port = await pasv(c);
      const data = await connectData(port);
      const chunks: Buffer[] = [];
      data.on('data', (d: Buffer) => chunks.push(d));
      expect((await c.cmd('RETR secret.bin')).code).toBe(150);
      const late = await connectData(port).then(
        (s) => {
          s.destroy();
          return 'connected';
        },
        (e: NodeJS.ErrnoException) => e.code,
      );
      expect(late).toBe('ECONNREFUSED');
      await new Promise<void>((r) => data.once('close', () => r()));
      expect((await c.next())?.code).toBe(226);
      expect(Buffer.concat(chunks).equals(SECRET)).toBe(true);
    } finally {
      c.close();
    }
  });
});

/** A TLS data connection; `session` resumes the control connection's TLS session. */
function tlsData(port: number, session?: Buffer): { socket: TLSSocket; received: () => Buffer; resumed: () => boolean; closed: Promise<void> } {
  const chunks: Buffer[] = [];
  let resumed = false;
  const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(session === undefined ? {} : { session }) });
  socket.once('secureConnect', () => (resumed = socket.isSessionReused()));
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => undefined);
  return { socket, received: () => Buffer.concat(chunks), resumed: () => resumed, closed: new Promise((r) => socket.once('close', () => r())) };
}

describe.skipIf(!hasOpenssl)('PROT P theft under sessionReuse prefer (issue 14.4c)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer('memory', { tls: { context: makeCert() } });
    await putFile(h.storage, '/secret.bin', SECRET);
  });
  afterAll(() => h.close());

  it('after the victim resumed its TLS session once, a fresh-handshake thief is refused and gets no data', async () => {
    const plain = await RawClient.connect(h.port);
    expect((await plain.next())?.code).toBe(220);
    const c = await plain.startTls();
    try {
      expect((await c.cmd(`USER ${USER}`)).code).toBe(331);
      expect((await c.cmd(`PASS ${PASS}`)).code).toBe(230);
      expect((await c.cmd('PBSZ 0')).code).toBe(200);
      expect((await c.cmd('PROT P')).code).toBe(200);
      await c.cmd('TYPE I');
      // First transfer: the victim resumes the control connection's session.
      const first = tlsData(await pasv(c), c.session());
      expect((await c.cmd('RETR secret.bin')).code).toBe(150);
      await first.closed;
      expect((await c.next())?.code).toBe(226);
      expect(first.resumed()).toBe(true);
      expect(first.received().equals(SECRET)).toBe(true);
      // Second transfer: a thief on the same address wins the race with a full handshake (the
      // victim sends RETR before connecting, as some clients do).
      const t = tlsData(await pasv(c));
      await new Promise<void>((r) => t.socket.once('connect', () => r()));
      const r = await c.cmd('RETR secret.bin');
      if (r.code === 150) expect((await c.next())?.code).toBe(425);
      else expect(r.code).toBe(425);
      await t.closed;
      expect(t.received().length).toBe(0);
      // The victim, resuming, still gets its file.
      const again = tlsData(await pasv(c), c.session());
      expect((await c.cmd('RETR secret.bin')).code).toBe(150);
      await again.closed;
      expect((await c.next())?.code).toBe(226);
      expect(again.resumed()).toBe(true);
      expect(again.received().equals(SECRET)).toBe(true);
    } finally {
      c.close();
    }
  });

  it.skipIf(!hasPython)('clients that cannot resume (ftplib FTP_TLS) still work under prefer', async () => {
    const r = await python(
      `
import ftplib, os, io, ssl
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ftp = ftplib.FTP_TLS(context=ctx)
ftp.connect('127.0.0.1', int(os.environ['FTP_PORT']), timeout=30)
ftp.login(os.environ['FTP_USER'], os.environ['FTP_PASS'])
ftp.prot_p()
for i in range(3):
    buf = io.BytesIO()
    ftp.retrbinary('RETR secret.bin', buf.write)
    print('got', len(buf.getvalue()))
ftp.storbinary('STOR up.bin', io.BytesIO(b'plain ftplib'))
print('stored')
ftp.quit()
`,
      h.port,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.match(new RegExp(`got ${SECRET.length}`, 'g'))?.length).toBe(3);
    expect(r.stdout).toContain('stored');
  });
});
