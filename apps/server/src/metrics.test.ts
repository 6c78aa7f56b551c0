import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli, type CliIo } from './cli.js';
import { parseMetricsAddress } from './endpoint-address.js';

/** Minimal FTP dialogue on a raw socket: send a line, wait for a final reply. */
function ftp(port: number): Promise<{ socket: Socket; cmd: (line: string | undefined) => Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = '';
    let waiter: ((reply: string) => void) | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      buffer += d;
      const m = /(?:^|\n)(\d{3}) [^\n]*\n/.exec(buffer);
      if (m !== null && waiter !== undefined) {
        const w = waiter;
        waiter = undefined;
        const reply = buffer.slice(0, m.index + m[0].length);
        buffer = buffer.slice(m.index + m[0].length);
        w(reply.trim());
      }
    });
    socket.once('error', reject);
    const cmd = (line: string | undefined): Promise<string> =>
      new Promise((r) => {
        waiter = r;
        if (line !== undefined) socket.write(`${line}\r\n`);
        else socket.emit('data', '');
      });
    socket.once('connect', () => resolve({ socket, cmd }));
  });
}

function metricValue(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
}

describe('--metrics', () => {
  it('parses HOST:PORT', () => {
    expect(parseMetricsAddress('127.0.0.1:9100')).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(parseMetricsAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseMetricsAddress('9100')).toBeUndefined();
    expect(parseMetricsAddress('h:70000')).toBeUndefined();
  });

  it('refuses a bad address with status 2', async () => {
    const err: string[] = [];
    const io: CliIo = { stdout: () => undefined, stderr: (t) => err.push(t), readStdin: () => Promise.resolve(''), env: {}, cwd: tmpdir() };
    expect(await runCli(['--storage', 'memory', '--port', '0', '--metrics', 'nope'], io)).toBe(2);
    expect(err.join('')).toContain('--metrics');
  });

  it('serves sessions, logins, transfers, bytes, replies and event-loop delay', async () => {
    const out: string[] = [];
    let stop: (() => Promise<void>) | undefined;
    const io: CliIo = {
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      readStdin: () => Promise.resolve(''),
      env: { FTPKIT_METRICS: '127.0.0.1:0' },
      cwd: tmpdir(),
      onRunning: (c) => (stop = c.stop),
    };
    expect(await runCli(['--storage', 'memory', '--port', '0', '--user', 'u:p', '--log-level', 'silent'], io)).toBeUndefined();
    try {
      const text = out.join('');
      const ftpPort = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(text)?.[1]);
      const metricsUrl = /metrics: (http:\S+)/.exec(text)?.[1];
      expect(metricsUrl).toBeDefined();

      const c = await ftp(ftpPort);
      expect(await c.cmd(undefined)).toMatch(/^220/);
      await c.cmd('USER u');
      expect(await c.cmd('PASS wrong')).toMatch(/^530/);
      await c.cmd('USER u');
      expect(await c.cmd('PASS p')).toMatch(/^230/);
      const pasv = await c.cmd('PASV');
      const nums = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(pasv)!;
      const data = connect(Number(nums[5]) * 256 + Number(nums[6]), '127.0.0.1');
      await new Promise((r) => data.once('connect', r));
      const stor = c.cmd('STOR a.bin');
      data.end(Buffer.alloc(1000, 7));
      expect(await stor).toMatch(/^150/);
      expect(await c.cmd(undefined)).toMatch(/^226/);
      expect(await c.cmd('QUIT')).toMatch(/^221/);
      c.socket.destroy();
      await new Promise((r) => setTimeout(r, 200));

      const body = await (await fetch(metricsUrl!)).text();
      expect(metricValue(body, 'ftpkit_sessions_total')).toBe(1);
      expect(metricValue(body, 'ftpkit_sessions_open')).toBe(0);
      expect(metricValue(body, 'ftpkit_logins_total', '{result="ok"}')).toBe(1);
      expect(metricValue(body, 'ftpkit_logins_total', '{result="failed"}')).toBe(1);
      expect(metricValue(body, 'ftpkit_transfers_total', '{direction="upload",result="ok"}')).toBe(1);
      expect(metricValue(body, 'ftpkit_transfer_bytes_total', '{direction="upload"}')).toBe(1000);
      expect(metricValue(body, 'ftpkit_replies_total', '{code="226"}')).toBe(1);
      expect(metricValue(body, 'ftpkit_replies_total', '{code="530"}')).toBe(1);
      expect(metricValue(body, 'ftpkit_event_loop_delay_seconds', '{quantile="0.99"}')).toBeGreaterThanOrEqual(0);
      expect(metricValue(body, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect((await fetch(metricsUrl!.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await stop?.();
    }
  });
});
