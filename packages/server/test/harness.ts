import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionUser } from '@ftpkit/session';
import type { StorageAdapter } from '@ftpkit/storage';
import { localStorage } from '@ftpkit/storage-local';
import { memoryStorage } from '@ftpkit/storage-memory';
import { createFtpServer, type FtpServer, type FtpServerOptions, type Logger } from '../src/index.js';

export const USER = 'alice';
export const PASS = 'secret pw';

/** True when the program runs; under CI a missing program is a failure naming `pnpm test:setup`. */
export function requireProgram(name: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(name, args, { stdio: 'ignore' });
  const ok = r.error === undefined && r.status === 0;
  if (!ok && process.env.CI) {
    throw new Error(`${name} is missing: run \`pnpm test:setup\` to install the test programs`);
  }
  return ok;
}

export const PYTHON = '/usr/bin/python3';

export interface Harness {
  server: FtpServer;
  port: number;
  storage: StorageAdapter;
  root: string | undefined;
  url: string;
  close(): Promise<void>;
}

export type StorageKind = 'memory' | 'local';

/** An in-process server on 127.0.0.1 (or `host`, e.g. ::1), port 0, with one user (and optionally anonymous read-only). */
export async function startServer(kind: StorageKind, overrides: Partial<FtpServerOptions> = {}, host = '127.0.0.1'): Promise<Harness> {
  let root: string | undefined;
  let storage: StorageAdapter;
  if (kind === 'local') {
    root = mkdtempSync(join(tmpdir(), 'ftpkit-srv-'));
    storage = localStorage({ root });
  } else {
    storage = memoryStorage();
  }
  const server = createFtpServer({
    storage,
    authenticate: (user, password): SessionUser | null => {
      if (user === USER && password === PASS) return { name: USER };
      if (user === 'reader' && password === 'r') return { name: 'reader', readOnly: true };
      return null;
    },
    limits: { loginFailureDelayMs: 10, dataTimeoutMs: 10_000 },
    ...overrides,
  });
  const address = await server.listen(0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    port: address.port,
    storage,
    root,
    url: `ftp://${USER}:${encodeURIComponent(PASS)}@${urlHost}:${address.port}`,
    async close() {
      await server.close({ graceMs: 100 });
      if (root !== undefined) rmSync(root, { recursive: true, force: true });
    },
  };
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ftpkit-cli-'));
}

/** Deterministic pseudo-random bytes (fast for big sizes). */
export function payload(size: number, seed = 1): Buffer {
  if (size === 0) return Buffer.alloc(0);
  const block = randomBytes(Math.min(size, 1 << 16));
  block[0] = seed & 0xff;
  const out = Buffer.allocUnsafe(size);
  for (let o = 0; o < size; o += block.length) block.copy(out, o, 0, Math.min(block.length, size - o));
  return out;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a program with a time limit; never rejects. */
export function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, cwd: opts.cwd, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Run a Python ftplib script; `PORT` and `USER`/`PASS` are in its environment. */
export function python(script: string, port: number, timeoutMs = 60_000, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-c', script], {
      env: { ...process.env, FTP_PORT: String(port), FTP_USER: USER, FTP_PASS: PASS, PYTHONIOENCODING: 'utf-8', ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Common ftplib preamble: `ftp` logged in. */
export const PY_LOGIN = `
import ftplib, os, sys, hashlib, io
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(os.environ['FTP_PORT']), timeout=30)
ftp.login(os.environ['FTP_USER'], os.environ['FTP_PASS'])
`;

/** Put a file straight into storage (test set-up, not under test). */
export async function putFile(storage: StorageAdapter, path: string, data: Uint8Array): Promise<void> {
  async function* source(): AsyncGenerator<Uint8Array> {
    if (data.length > 0) yield data;
  }
  await storage.write(path, source());
}

/** Read a file straight from storage. */
export async function getFile(storage: StorageAdapter, path: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of storage.read(path)) chunks.push(c);
  return Buffer.concat(chunks);
}

export const SIZES: ReadonlyArray<[string, number]> = [
  ['0 B', 0],
  ['1 B', 1],
  ['64 KiB', 64 * 1024],
];
export const BIG = 50 * 1024 * 1024;

/** A logger that keeps every line (level, message, fields) for assertions. */
export function memoryLogger(): Logger & { lines: Array<{ level: string; msg: string; obj: object }> } {
  const lines: Array<{ level: string; msg: string; obj: object }> = [];
  const make = (bindings: object): Logger => {
    const at = (level: string) => (obj: object, msg = ''): void => {
      lines.push({ level, msg, obj: { ...bindings, ...obj } });
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => make({ ...bindings, ...b }) };
  };
  return Object.assign(make({}), { lines });
}

/** A throw-away self-signed certificate for 127.0.0.1 (needs openssl). */
export function makeCert(): { key: Buffer; cert: Buffer } {
  const dir = tempDir();
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}
