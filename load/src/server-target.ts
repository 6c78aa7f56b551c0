import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startMetricsEndpoint, type MetricsEndpoint } from '@ftpkit/ftpkit-server';
import { createFtpServer, type FtpServer } from '@ftpkit/server';
import { s3Storage } from '@ftpkit/storage-s3';
import { startS3rver, type S3rverProcess } from '@ftpkit/storage-s3/testing';

export type StorageKind = 'memory' | 'local' | 's3';

/** Resident memory and open descriptors of the server's process. */
export interface ProcessSample {
  rssBytes: number;
  fds: number;
}

/** One ftpkit server under test, wherever it runs. */
export interface ServerTarget {
  storage: StorageKind;
  /** `child`: the built ftpkit-server program; `in-process`: createFtpServer inside the test. */
  where: 'child' | 'in-process';
  port: number;
  metricsUrl: string;
  user: string;
  password: string;
  sample(): ProcessSample;
  /** Run a full garbage collection in the server's process (before an RSS sample). */
  collectGarbage(): Promise<void>;
  stop(): Promise<void>;
}

export const LOAD_USER = 'load';
export const LOAD_PASSWORD = 'load-pw';

/** Limits high enough for every client to come from 127.0.0.1 at once. */
const LIMITS = { maxConnections: 4_000, maxConnectionsPerIp: 4_000 };

export function sampleProcess(pid: number | 'self'): ProcessSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
  return { rssBytes: kb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

const MAIN = fileURLToPath(new URL('../../apps/server/dist/main.js', import.meta.url));
const GC_PRELOAD = fileURLToPath(new URL('./gc-on-signal.cjs', import.meta.url));
const S3_CHILD = fileURLToPath(new URL('./s3-server-child.mjs', import.meta.url));

/**
 * Start the BUILT `ftpkit-server` (apps/server/dist/main.js) as a child with `--port 0` and
 * `--metrics 127.0.0.1:0`, its descriptor limit raised with `ulimit -n` (through bash).
 */
export async function startChildServer(storage: 'memory' | 'local', nodeFlags: readonly string[] = []): Promise<ServerTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'ftpkit-load-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ limits: LIMITS }));
  // An explicit --root must exist (only the default ./ftp-data is created).
  mkdirSync(join(dir, 'root'));
  const args = [
    MAIN,
    '--port', '0',
    '--storage', storage,
    '--root', join(dir, 'root'),
    '--user', `${LOAD_USER}:${LOAD_PASSWORD}`,
    '--metrics', '127.0.0.1:0',
    '--log-level', 'silent',
    '--config', config,
  ];
  return spawnServer(storage, args, nodeFlags, async () => rmSync(dir, { recursive: true, force: true }));
}

async function spawnServer(
  storage: StorageKind,
  args: readonly string[],
  nodeFlags: readonly string[],
  cleanup: () => Promise<void>,
  fdLimit = 16_384,
): Promise<ServerTarget> {
  const argv = [process.execPath, '--expose-gc', ...nodeFlags, '-r', GC_PRELOAD, ...args];
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // Raise the soft limit up to what the hard limit allows, then become node.
  const child: ChildProcess = spawn('bash', ['-c', `ulimit -n ${fdLimit} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec ${quoted}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // Fewer glibc malloc arenas: RSS then follows what the process holds, not per-thread reserves.
    env: { ...process.env, MALLOC_ARENA_MAX: '2' },
  });
  const banner = await new Promise<string>((resolve, reject) => {
    const lines: string[] = [];
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`ftpkit-server did not start: ${lines.join('\n')}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`ftpkit-server exited with ${code}: ${lines.join('\n')}`)));
    rl.on('line', (line) => {
      lines.push(line);
      if (line.startsWith('metrics: ')) {
        clearTimeout(timer);
        resolve(lines.join('\n'));
      }
    });
  });
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(banner)?.[1]);
  const metricsUrl = /metrics: (http:\S+)/.exec(banner)?.[1] ?? '';
  const pid = child.pid ?? -1;
  return {
    storage,
    where: 'child',
    port,
    metricsUrl,
    user: LOAD_USER,
    password: LOAD_PASSWORD,
    sample: () => sampleProcess(pid),
    async collectGarbage() {
      process.kill(pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 300));
    },
    async stop() {
      const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      await cleanup();
    },
  };
}

/**
 * The S3 row: ftpkit-server has no S3 flags yet, so a small script (s3-server-child.mjs) runs
 * createFtpServer + s3Storage from the built packages in a child process, with the program's
 * metrics endpoint, against s3rver (the storage-s3 test helper) in another child.
 */
export async function startS3ChildServer(): Promise<ServerTarget> {
  const s3: S3rverProcess = await startS3rver({ buckets: ['load'] });
  const config = { bucket: 'load', clientConfig: s3.clientConfig, user: LOAD_USER, password: LOAD_PASSWORD, limits: LIMITS };
  try {
    return await spawnServer('s3', [S3_CHILD, JSON.stringify(config)], [], () => s3.stop());
  } catch (err) {
    await s3.stop();
    throw err;
  }
}

/**
 * The S3 row: ftpkit-server has no S3 flags yet, so the server runs in this process
 * (createFtpServer + s3Storage against s3rver in a child), with the same metrics endpoint the
 * program serves. Its RSS and descriptors are this process's, clients included.
 */
export async function startInProcessS3Server(): Promise<ServerTarget> {
  const s3: S3rverProcess = await startS3rver({ buckets: ['load'] });
  const server: FtpServer = createFtpServer({
    storage: s3Storage({ bucket: 'load', clientConfig: s3.clientConfig }),
    authenticate: (user, password) => (user === LOAD_USER && password === LOAD_PASSWORD ? { name: user } : null),
    limits: LIMITS,
  });
  const metrics: MetricsEndpoint = await startMetricsEndpoint(server, { host: '127.0.0.1', port: 0 });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    storage: 's3',
    where: 'in-process',
    port,
    metricsUrl: `http://127.0.0.1:${metrics.address.port}/metrics`,
    user: LOAD_USER,
    password: LOAD_PASSWORD,
    sample: () => sampleProcess('self'),
    async collectGarbage() {
      globalThis.gc?.();
    },
    async stop() {
      await server.close({ graceMs: 1_000 });
      await metrics.close();
      await s3.stop();
    },
  };
}

/** `LOAD_S3_IN_PROCESS=1` runs the S3 row's server inside the test process instead. */
export function startServer(storage: StorageKind): Promise<ServerTarget> {
  if (storage !== 's3') return startChildServer(storage);
  return process.env.LOAD_S3_IN_PROCESS === '1' ? startInProcessS3Server() : startS3ChildServer();
}
