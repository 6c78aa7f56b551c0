import { connect, type Socket } from 'node:net';
import { encodeProxyHeaderV2, formatProxyHeaderV1 } from '@ftpkit/codec';
import { memoryStorage } from '@ftpkit/storage-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { createFtpServer, type FtpServer } from './ftp-server.js';
import type { ConnectionInfo } from './events.js';
import { parseCidrList } from './proxy-protocol.js';
import type { FtpServerOptions } from './options.js';

describe('parseCidrList', () => {
  it('matches IPv4, IPv6 and IPv4-mapped addresses', () => {
    const list = parseCidrList(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::ffff:172.16.0.0/108']);
    expect(list.matches('10.1.2.3')).toBe(true);
    expect(list.matches('::ffff:10.1.2.3')).toBe(true);
    expect(list.matches('11.0.0.1')).toBe(false);
    expect(list.matches('192.168.1.7')).toBe(true);
    expect(list.matches('192.168.1.8')).toBe(false);
    expect(list.matches('fd12::1')).toBe(true);
    expect(list.matches('fe80::1%eth0')).toBe(false);
    expect(list.matches('172.31.255.255')).toBe(true);
    expect(list.matches('172.32.0.0')).toBe(false);
    expect(list.matches('not an address')).toBe(false);
  });

  it('rejects malformed entries', () => {
    expect(() => parseCidrList(['10.0.0.0/33'])).toThrow(RangeError);
    expect(() => parseCidrList(['example.com'])).toThrow(/not an IP address or CIDR/);
  });
});

interface Refusal {
  remoteAddress: string;
  reason: string;
}

let server: FtpServer | undefined;
afterEach(async () => {
  await server?.close({ graceMs: 0 });
  server = undefined;
});

async function start(overrides: Partial<FtpServerOptions> = {}): Promise<{ port: number; starts: ConnectionInfo[]; refusals: Refusal[] }> {
  server = createFtpServer({
    storage: memoryStorage(),
    authenticate: (u, p) => (u === 'alice' && p === 'pw' ? { name: 'alice' } : null),
    proxyProtocol: { mode: 'any', trusted: ['127.0.0.1/32'], headerTimeoutMs: 500 },
    limits: { loginFailureDelayMs: 1 },
    ...overrides,
  });
  const starts: ConnectionInfo[] = [];
  const refusals: Refusal[] = [];
  server.on('connection-start', (c) => starts.push(c));
  server.on('connection-refused', (r) => refusals.push(r));
  const { port } = await server.listen(0, '127.0.0.1');
  return { port, starts, refusals };
}

function open(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything the server sends until it closes or `until` matches, bounded by `ms`. */
function collect(s: Socket, ms: number, until?: RegExp): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      s.off('data', onData);
      resolve({ text, closed });
    };
    const onData = (b: Buffer): void => {
      text += b.toString('latin1');
      if (until?.test(text)) done(false);
    };
    const timer = setTimeout(() => done(false), ms);
    s.on('data', onData);
    s.once('close', () => done(true));
    s.on('error', () => undefined);
  });
}

const v2 = (host: string, port = 40000): Buffer =>
  Buffer.from(
    encodeProxyHeaderV2({
      version: 2,
      command: 'PROXY',
      family: 'tcp4',
      source: { host, port },
      destination: { host: '127.0.0.1', port: 21 },
    }),
  );

describe('PROXY protocol on the control listener', () => {
  it('greets only after a v2 header, split byte by byte, and reports the client it names', async () => {
    const { port, starts } = await start();
    const s = await open(port);
    const early = collect(s, 300);
    const header = v2('203.0.113.7', 51234);
    for (const b of header.subarray(0, header.length - 1)) s.write(Buffer.of(b));
    expect((await early).text).toBe('');
    s.write(Buffer.concat([header.subarray(header.length - 1), Buffer.from('USER alice\r\n')]));
    const got = await collect(s, 5_000, /331/);
    expect(got.text).toMatch(/^220[\s\S]*331/);
    expect(starts[0]?.remoteAddress).toBe('203.0.113.7');
    expect(starts[0]?.remotePort).toBe(51234);
    expect(starts[0]?.proxiedBy).toBe('127.0.0.1');
    s.destroy();
  });

  it('takes a v1 line in mode any, and refuses it in mode v2', async () => {
    const line = formatProxyHeaderV1({
      version: 1,
      command: 'PROXY',
      family: 'tcp4',
      source: { host: '198.51.100.1', port: 1234 },
      destination: { host: '127.0.0.1', port: 21 },
    });
    const any = await start();
    const a = await open(any.port);
    a.write(line);
    expect((await collect(a, 5_000, /220/)).text).toMatch(/^220/);
    expect(any.starts[0]?.remoteAddress).toBe('198.51.100.1');
    a.destroy();
    await server?.close({ graceMs: 0 });

    const onlyV2 = await start({ proxyProtocol: { mode: 'v2', trusted: ['127.0.0.1'], headerTimeoutMs: 500 } });
    const b = await open(onlyV2.port);
    b.write(line);
    const got = await collect(b, 5_000);
    expect(got).toEqual({ text: '', closed: true });
    expect(onlyV2.refusals).toEqual([{ remoteAddress: '127.0.0.1', reason: 'proxy-header' }]);
  });

  it('refuses a connection without a header: no greeting, closed after the header timeout', async () => {
    const { port, refusals, starts } = await start();
    const s = await open(port);
    const t0 = Date.now();
    const got = await collect(s, 5_000);
    expect(got).toEqual({ text: '', closed: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(refusals).toEqual([{ remoteAddress: '127.0.0.1', reason: 'proxy-header' }]);
    expect(starts).toEqual([]);
  });

  it('refuses plain FTP bytes where the header should be at once', async () => {
    const { port, refusals } = await start({ proxyProtocol: { mode: 'any', trusted: ['127.0.0.1'], headerTimeoutMs: 10_000 } });
    const s = await open(port);
    s.write('USER alice\r\n');
    const t0 = Date.now();
    expect(await collect(s, 5_000)).toEqual({ text: '', closed: true });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(refusals[0]?.reason).toBe('proxy-header');
  });

  it('refuses a valid header from an untrusted address', async () => {
    const { port, refusals, starts } = await start({ proxyProtocol: { mode: 'v2', trusted: ['127.0.0.10/32'] } });
    const s = await open(port, '127.0.0.1');
    s.write(v2('203.0.113.9'));
    expect(await collect(s, 5_000)).toEqual({ text: '', closed: true });
    expect(refusals).toEqual([{ remoteAddress: '127.0.0.1', reason: 'proxy-untrusted' }]);
    expect(starts).toEqual([]);
  });

  it('counts per-IP limits by the client the header names, not the balancer', async () => {
    const { port, refusals } = await start({ limits: { maxConnectionsPerIp: 1 } });
    const a = await open(port);
    a.write(v2('203.0.113.1'));
    expect((await collect(a, 5_000, /220/)).text).toMatch(/^220/);
    const b = await open(port);
    b.write(v2('203.0.113.2'));
    expect((await collect(b, 5_000, /220/)).text).toMatch(/^220/);
    const c = await open(port);
    c.write(v2('203.0.113.1'));
    expect((await collect(c, 5_000, /\r\n/)).text).toMatch(/^421 Too many connections from your address/);
    expect(refusals).toEqual([{ remoteAddress: '203.0.113.1', reason: 'max-connections-per-ip' }]);
    for (const s of [a, b, c]) s.destroy();
  });

  it('bans by the client address, and anti-hijack compares data connections with it', async () => {
    const { port } = await start({ limits: { maxLoginFailuresPerIp: 1, loginFailureDelayMs: 1 } });
    const bad = await open(port);
    bad.write(Buffer.concat([v2('203.0.113.66'), Buffer.from('USER alice\r\nPASS nope\r\n')]));
    expect((await collect(bad, 5_000, /530/)).text).toMatch(/530/);
    bad.destroy();
    const again = await open(port);
    again.write(v2('203.0.113.66'));
    expect((await collect(again, 5_000, /\r\n/)).text).toMatch(/^421 Too many failed logins/);
    again.destroy();
    // Another client behind the same balancer is not affected.
    const other = await open(port);
    other.write(Buffer.concat([v2('127.0.0.5'), Buffer.from('USER alice\r\nPASS pw\r\nPASV\r\n')]));
    const pasv = await collect(other, 5_000, /227 .*\r\n/);
    const m = /227 .*\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(pasv.text);
    expect(m).not.toBeNull();
    const dataPort = Number(m?.[5]) * 256 + Number(m?.[6]);
    // From the balancer's address (127.0.0.1), not the named client's: dropped.
    const hijack = await open(dataPort, '127.0.0.1');
    expect((await collect(hijack, 5_000)).closed).toBe(true);
    // From the named client: accepted, and the listing goes through.
    const data = await open(dataPort, '127.0.0.5');
    const listing = collect(data, 5_000);
    other.write('LIST\r\n');
    expect((await collect(other, 5_000, /226/)).text).toMatch(/150[\s\S]*226/);
    expect((await listing).closed).toBe(true);
    other.destroy();
  });
});
