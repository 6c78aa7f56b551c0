import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** One run of the recording hook: its FTPKIT_* environment and the JSON it read on stdin. */
export interface HookRecord {
  env: Record<string, string>;
  stdin: Record<string, unknown>;
}

/**
 * Writes an executable Node script into `dir` that appends `{ env (FTPKIT_*), stdin }` as one JSON
 * line to `log`. It exits with the status in file `<dir>/exit-<FTPKIT_EVENT>` if there is one (else
 * 0), and while `<dir>/block` exists it waits (bounded: 60 s) before recording, to play a slow target.
 */
export function writeRecordingHook(dir: string, name = 'hook.cjs'): { path: string; log: string } {
  const path = join(dir, name);
  const log = join(dir, `${name}.log`);
  writeFileSync(
    path,
    `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const dir = ${JSON.stringify(dir)};
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('FTPKIT_')));
  const started = Date.now();
  const finish = () => {
    fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ env, stdin: JSON.parse(input) }) + '\\n');
    const exitFile = path.join(dir, 'exit-' + env.FTPKIT_EVENT);
    process.exit(fs.existsSync(exitFile) ? Number(fs.readFileSync(exitFile, 'utf8')) : 0);
  };
  const wait = () => (fs.existsSync(path.join(dir, 'block')) && Date.now() - started < 60000 ? setTimeout(wait, 20) : finish());
  wait();
});
`,
  );
  chmodSync(path, 0o755);
  return { path, log };
}

/** The records so far. */
export function readRecords(log: string): HookRecord[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as HookRecord);
}

/** Polls (every 50 ms, at most `timeoutMs`) until `check` holds; returns its last value either way. */
export async function waitFor<T>(read: () => T, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  let value = read();
  while (!check(value) && Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = read();
  }
  return value;
}

/** A request the receiver got. */
export interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server on 127.0.0.1, port 0, answering with `answer` (which may hold the reply back). */
export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  close: () => Promise<void>;
}

export async function startReceiver(answer: (req: Received) => Promise<{ status: number; body?: string }> | { status: number; body?: string }): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const r = { url: req.url ?? '', headers: req.headers, body };
      received.push(r);
      void Promise.resolve(answer(r)).then(({ status, body: out }) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(out ?? '');
      });
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (taken and released). */
export async function closedPort(): Promise<number> {
  const r = await startReceiver(() => ({ status: 200 }));
  await r.close();
  return r.port;
}

/** Runs a Python ftplib script with FTP_PORT set; never rejects. */
export function python(script: string, port: number, timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/python3',
      ['-c', script],
      { env: { ...process.env, FTP_PORT: String(port), PYTHONIOENCODING: 'utf-8' }, timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** lftp with a command script, a time limit, never rejects. */
export function lftp(port: number, user: string, password: string, script: string, timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'lftp',
      ['-u', `${user},${password}`, '-e', `set ftp:passive-mode on; set net:max-retries 1; ${script}; quit`, `ftp://127.0.0.1:${port}`],
      { timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A name for lftp's double-quoted argument syntax. */
export function lftpQuoted(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Value of one sample in Prometheus text. */
export function metricValue(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
}
