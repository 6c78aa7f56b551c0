import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile, readFile, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A third-party FTP server started for a test. `stop()` ends it by PID and removes its temp dir. */
export interface TestFtpServer {
  readonly name: 'vsftpd' | 'pure-ftpd' | 'pyftpdlib';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Directory on disk the FTP user sees as `/`. */
  readonly root: string;
  /** Explicit TLS (AUTH TLS) offered. */
  readonly tls: boolean;
  /** PEM of the self-signed certificate (when `tls`), to pass as the client's `ca`. */
  readonly ca?: string;
  /** The same certificate as a file, for command-line clients. */
  readonly caFile?: string;
  /** `ftp://user:pass@host:port` */
  readonly url: string;
  stop(): Promise<void>;
}

/** Options every start function takes. */
export interface StartOptions {
  /** Offer explicit TLS with a fresh self-signed certificate. */
  tls?: boolean;
  /** vsftpd only: implicit TLS (TLS from the first byte, as for ftps:// URLs); implies `tls`. */
  implicit?: boolean;
}

/** A free TCP port on 127.0.0.1, found by binding port 0. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function portBindable(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A range of `count` consecutive ports that are free now (bounded number of tries). */
export async function freePortRange(count = 20): Promise<[number, number]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 30000 + Math.floor(Math.random() * 25000);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await portBindable(p);
    if (ok) return [base, base + count - 1];
  }
  throw new Error('no free passive port range found');
}

/** A self-signed certificate for 127.0.0.1, ::1 and localhost, written with openssl into `dir`. */
export async function makeCertificate(dir: string): Promise<{ certFile: string; keyFile: string; pem: string }> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await exec('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
    '-keyout', keyFile, '-out', certFile, '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
  ]);
  return { certFile, keyFile, pem: await readFile(certFile, 'utf8') };
}

/**
 * Whether a test needing `program` can run. Locally a missing program means "skip"; under CI it is
 * an error, because `pnpm test:setup` installs everything.
 */
export function requireProgram(path: string, what = path): boolean {
  if (existsSync(path)) return true;
  if (process.env.CI) throw new Error(`${what} is missing (${path}); run \`pnpm test:setup\` to install it`);
  return false;
}

export async function makeTempDir(prefix: string): Promise<string> {
  return await mkdtemp(join(tmpdir(), prefix));
}

/** Waits until something accepts TCP connections on host:port (bounded). */
export async function waitForPort(host: string, port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host);
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not listen on ${host}:${port} within ${timeoutMs} ms`);
}

/** Spawns a server, collects its output for error messages, and returns a PID-based stopper. */
export function spawnServer(cmd: string, args: string[], opts: { cwd?: string } = {}): { child: ChildProcess; output: () => string; stop: () => Promise<void> } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { if (out.length < 20_000) out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { if (out.length < 20_000) out += d.toString(); });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try { process.kill(child.pid, 'SIGTERM'); } catch { return; }
    const timer = setTimeout(() => { try { if (child.pid) process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
    await exited;
    clearTimeout(timer);
  };
  return { child, output: () => out, stop };
}

export async function writeText(path: string, text: string): Promise<void> {
  await writeFile(path, text);
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

export { exec };
