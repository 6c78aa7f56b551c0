import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { StorageAdapter } from '@ftpkit/storage';
import type { FtpServer } from '../src/index.js';
import { PASS, USER } from './harness.js';
import { pasvPort, RawClient } from './raw-client.js';

/** Open descriptors of this process (the test and the in-process server share it). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll (bounded) until the server has no connection and the descriptors are back to `fds`. */
export async function settle(server: FtpServer, fds: number, timeoutMs = 10_000): Promise<{ connections: number; fds: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = { connections: server.connectionCount, fds: openFds() };
    if ((now.connections === 0 && now.fds <= fds) || Date.now() > deadline) return now;
    await sleep(50);
  }
}

/** A fresh client logs in, lists the root and quits: the server still serves. */
export async function stillServes(port: number): Promise<void> {
  const c = await RawClient.connect(port);
  try {
    await c.login(USER, PASS);
    const { data, replies } = await transferDown(c, 'NLST /');
    if (replies.at(-1) !== 226) throw new Error(`NLST ended ${replies.join(',')}`);
    void data;
    const q = await c.cmd('QUIT');
    if (q.code !== 221) throw new Error(`QUIT ${q.code}`);
  } finally {
    c.close();
  }
}

export function connectData(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** PASV, connect the data socket, send `command`; resolves after the 150 with the data socket. */
export async function openTransfer(c: RawClient, command: string, rest?: number): Promise<Socket> {
  await c.cmd('TYPE I');
  const pasv = await c.cmd('PASV');
  if (pasv.code !== 227) throw new Error(`PASV ${pasv.code}`);
  const data = await connectData(pasvPort(pasv.text).port);
  data.on('error', () => undefined);
  if (rest !== undefined) {
    const r = await c.cmd(`REST ${rest}`);
    if (r.code !== 350) throw new Error(`REST ${r.code}`);
  }
  const r = await c.cmd(command);
  if (r.code !== 150 && r.code !== 125) {
    data.destroy();
    throw new Error(`${command}: ${r.code} ${r.text}`);
  }
  return data;
}

/** A whole download: the bytes and every reply code after the 150. */
export async function transferDown(c: RawClient, command: string): Promise<{ data: Buffer; replies: number[] }> {
  const data = await openTransfer(c, command);
  const chunks: Buffer[] = [];
  data.on('data', (d: Buffer) => chunks.push(d));
  await new Promise<void>((r) => data.once('close', () => r()));
  const reply = await c.next(30_000);
  return { data: Buffer.concat(chunks), replies: [reply?.code ?? 0] };
}

/** A whole upload of `bytes`: every reply code after the 150 (the last one is the verdict). */
export async function transferUp(c: RawClient, command: string, bytes: Uint8Array, rest?: number): Promise<number> {
  const data = await openTransfer(c, command, rest);
  await new Promise<void>((r) => data.end(bytes, () => r()));
  const reply = await c.next(30_000);
  data.destroy();
  return reply?.code ?? 0;
}

/** The adapter's methods bound to it, to spread into a wrapper. */
export function bindAll(a: StorageAdapter): StorageAdapter {
  return {
    stat: (p) => a.stat(p),
    list: (d, o) => a.list(d, o),
    read: (p, o) => a.read(p, o),
    write: (p, d, o) => a.write(p, d, o),
    mkdir: (p) => a.mkdir(p),
    rmdir: (p) => a.rmdir(p),
    delete: (p) => a.delete(p),
    rename: (f, t) => a.rename(f, t),
  };
}


/** Every reply until the server closes the control connection (bounded). */
export async function repliesUntilClosed(c: RawClient, timeoutMs = 15_000): Promise<number[]> {
  const codes: number[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await c.next(Math.max(1, deadline - Date.now())).catch(() => undefined);
    if (r === undefined) break;
    codes.push(r.code);
  }
  return codes;
}
