import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createFtpServer, type FtpServer, type FtpServerOptions } from '@ftpkit/server';
import { localStorage } from '@ftpkit/storage-local';

const execFileP = promisify(execFile);
const appDir = resolve(import.meta.dirname, '../..');
export const repoRoot = resolve(appDir, '../..');
/** The built `ftpkit` program. */
export const ftpkitBin = join(appDir, 'dist/main.js');

/** Builds the programs the tests run (turbo's cache makes this quick when nothing changed). */
export async function buildPrograms(): Promise<void> {
  await execFileP('flock', ['/tmp/ftpkit-build.lock', 'pnpm', 'turbo', 'run', 'build', '--filter', '@ftpkit/cli...', '--filter', '@ftpkit/ftpkit-server...'], { cwd: repoRoot, timeout: 300_000 });
}

export interface RunResult {
  code: number;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
  /** Each stderr line with the time it arrived (Date.now()), for progress checks. */
  stderrLines: Array<{ at: number; line: string }>;
}

export interface RunOptions {
  cwd: string;
  home: string;
  env?: Record<string, string>;
  input?: string | Buffer;
  /** Called with each stderr line as it arrives, and a way to signal the program. */
  onStderrLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void;
  killAfterMs?: number;
}

/** Runs the built `ftpkit` as a user would: a clean environment, stdin from `input`. */
export function runFtpkit(args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [ftpkitBin, ...args], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: opts.home, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    let partial = '';
    const stderrLines: RunResult['stderrLines'] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        stderrLines.push({ at: Date.now(), line });
        opts.onStderrLine?.(line, (signal) => child.kill(signal));
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      done({ code: code ?? -1, stdout: stdoutBytes.toString(), stdoutBytes, stderr, stderrLines });
    });
  });
}

/** A scratch directory with a HOME inside; `cleanup` removes both. */
export async function scratch(): Promise<{ dir: string; home: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ftpkit-cli-'));
  const home = join(dir, 'home');
  await execFileP('mkdir', ['-p', home]);
  return { dir, home, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export const USER = 'bob';
export const PASSWORD = 'bob pw 7';

export interface InProcessServer {
  server: FtpServer;
  port: number;
  /** The implicit-TLS port, with `tls`. */
  implicitPort?: number;
  /** The self-signed certificate (PEM file), with `tls`. */
  caFile?: string;
  root: string;
  /** ftp://bob@127.0.0.1:PORT (no password: pass it through FTPKIT_PASSWORD or a prompt). */
  url: string;
  /** Bytes the server's storage has taken in so far for uploads (read from the data connection). */
  uploadedBytes: () => number;
  close: () => Promise<void>;
}

export interface InProcessServerOptions {
  uploadBytesPerSecond?: number;
  /** Downloads fail with a storage error after this many bytes of a file. */
  failReadsAfter?: number;
  /** A self-signed certificate for 127.0.0.1; explicit TLS (AUTH TLS) required, and an implicit-TLS port. */
  tls?: boolean;
}

/**
 * An in-process @ftpkit/server on 127.0.0.1 port 0 over a temporary directory: user bob (password
 * {@link PASSWORD}), user `reader` (password `r`, read-only), optionally an upload bandwidth limit.
 */
export async function startInProcessServer(opts: InProcessServerOptions = {}): Promise<InProcessServer> {
  const root = await mkdtemp(join(tmpdir(), 'ftpkit-cli-srv-'));
  const base = localStorage({ root });
  let tls: FtpServerOptions['tls'];
  let caFile: string | undefined;
  let certDir: string | undefined;
  if (opts.tls) {
    certDir = await mkdtemp(join(tmpdir(), 'ftpkit-cli-cert-'));
    caFile = join(certDir, 'cert.pem');
    await execFileP('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(certDir, 'key.pem'), '-out', caFile]);
    tls = { context: { cert: await readFile(caFile), key: await readFile(join(certDir, 'key.pem')) }, requireTls: true };
  }
  let uploaded = 0;
  // The same adapter, counting what the server reads from upload data connections.
  const storage: typeof base = Object.create(base) as typeof base;
  storage.write = (path, data, o) => {
    async function* counted(): AsyncIterable<Uint8Array> {
      for await (const chunk of data) {
        uploaded += chunk.length;
        yield chunk;
      }
    }
    return base.write(path, counted(), o);
  };
  const failAfter = opts.failReadsAfter;
  if (failAfter !== undefined) {
    const limit: number = failAfter;
    async function* failing(chunks: AsyncIterable<Uint8Array>): AsyncIterableIterator<Uint8Array> {
      let sent = 0;
      for await (const chunk of chunks) {
        if (sent + chunk.length > limit) throw new Error('disk read failed (test)');
        sent += chunk.length;
        yield chunk;
      }
    }
    storage.read = (path, o) => failing(base.read(path, o));
    // The server reads RETR through openRead where the adapter has it: wrap that too.
    const openRead = base.openRead?.bind(base);
    if (openRead !== undefined) {
      storage.openRead = async (path, o) => {
        const opened = await openRead(path, o);
        return { stat: opened.stat, chunks: failing(opened.chunks) };
      };
    }
  }
  const server = createFtpServer({
    storage,
    authenticate: (user, password) => {
      if (user === USER && password === PASSWORD) {
        return { name: USER, ...(opts.uploadBytesPerSecond ? { uploadBytesPerSecond: opts.uploadBytesPerSecond } : {}) };
      }
      if (user === 'reader' && password === 'r') return { name: 'reader', readOnly: true };
      return null;
    },
    limits: { loginFailureDelayMs: 10 },
    ...(tls ? { tls } : {}),
  });
  const address = await server.listen(0, '127.0.0.1');
  const implicitPort = tls ? (await server.listenImplicitTls(0, '127.0.0.1')).port : undefined;
  return {
    server,
    port: address.port,
    ...(implicitPort !== undefined ? { implicitPort } : {}),
    ...(caFile !== undefined ? { caFile } : {}),
    root,
    url: `ftp://${USER}@127.0.0.1:${address.port}`,
    uploadedBytes: () => uploaded,
    async close() {
      await server.close({ graceMs: 100 });
      await rm(root, { recursive: true, force: true });
      if (certDir !== undefined) await rm(certDir, { recursive: true, force: true });
    },
  };
}

/** Drives a program in a pseudo-terminal: waits for each `expect` text, then types `send`. */
const PTY_DRIVER = String.raw`
import json, os, pty, select, sys, time
argv, steps, env = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    os.execvpe(argv[0], argv, env)
out = b''
def pump(until, text=None):
    global out
    while time.time() < until and (text is None or text.encode() not in out):
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return False
        if not chunk:
            return False
        out += chunk
    return True
for step in steps:
    pump(time.time() + 10, step['expect'])
    time.sleep(0.2)
    os.write(fd, step['send'].encode())
pump(time.time() + 30)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`;

/**
 * Runs `argv` with a pseudo-terminal as its stdin, stdout and stderr (python3's pty module), typing
 * each step's `send` once its `expect` text has appeared (or after 10 s). Returns everything the
 * terminal showed, echo included, and the exit status.
 */
export function runInPty(argv: string[], steps: Array<{ expect: string; send: string }>, opts: { cwd: string; env: Record<string, string> }): Promise<{ code: number; screen: string }> {
  return new Promise((done) => {
    const child = spawn('python3', ['-c', PTY_DRIVER, JSON.stringify(argv), JSON.stringify(steps), JSON.stringify(opts.env)], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => out.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, screen: Buffer.concat(out).toString() });
    });
  });
}
