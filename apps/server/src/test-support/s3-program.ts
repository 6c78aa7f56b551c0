import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** The built program the S3 tests run (never the sources: this is what users start). */
export const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'main.js');

/**
 * Throws when the built program or curl is missing; returns false (skip) for curl only outside CI.
 * `pnpm test` builds first, so a missing dist/ is a real failure.
 */
export function programReady(): boolean {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm build\` first (pnpm test does)`);
  if (spawnSync('curl', ['--version'], { stdio: 'ignore' }).status !== 0) {
    if (process.env.CI) throw new Error('curl is missing: run `pnpm test:setup` to install the test programs');
    return false;
  }
  return true;
}

/** The environment the program gets: S3RVER keys through the SDK's default chain, no ~/.aws. */
export function s3Env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('FTPKIT_')) env[name] = value;
  }
  return {
    ...env,
    FTPKIT_LOG_FORMAT: 'json',
    FTPKIT_LOG_LEVEL: 'warn',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    // Keep the SDK away from the developer's own profile and from instance metadata.
    AWS_CONFIG_FILE: '/nonexistent/ftpkit-aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/ftpkit-aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** A started ftpkit-server child. */
export interface ProgramProcess {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, then the exit status. */
  stop: () => Promise<number | null>;
}

/** Runs the program to its end (for start-up failures): exit status and output. */
export function runProgram(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 40_000,
  cwd?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env, timeout: timeoutMs, encoding: 'utf8', ...(cwd === undefined ? {} : { cwd }) }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the program and waits (bounded) for its banner. */
export async function startProgram(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<ProgramProcess> {
  const child = spawn(process.execPath, [MAIN, '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd === undefined ? {} : { cwd }) });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const started = Date.now();
    const check = (): void => {
      const m = /listening on 127\.\d+\.\d+\.\d+:(\d+)/.exec(out);
      if (m?.[1]) resolve(Number(m[1]));
      else if (child.exitCode !== null) reject(new Error(`ftpkit-server exited ${child.exitCode}; stdout: ${out} stderr: ${err}`));
      else if (Date.now() - started > 30_000) reject(new Error(`ftpkit-server did not start in 30 s; stdout: ${out} stderr: ${err}`));
      else setTimeout(check, 50);
    };
    check();
  }).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  return {
    child,
    port,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** curl with a time limit; resolves with its exit status and output (never rejects). */
export function curl(args: string[], timeoutSec = 60): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', String(timeoutSec), ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** SHA-256 of a file, hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** SHA-256 of bytes, hex. */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The environment for a local-storage run: no FTPKIT_* from the developer's shell, JSON logs. */
export function programEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('FTPKIT_')) env[name] = value;
  return { ...env, FTPKIT_LOG_FORMAT: 'json', ...extra };
}

/** Something a test started that must be stopped when the file's tests end. */
export type Stoppable = { stop(): Promise<unknown> } | { close(): Promise<unknown> };

/**
 * The per-file set-up of tests that start the program: `ready` (see {@link programReady}), a
 * temporary directory, and everything registered with `stopLater` stopped afterwards (programs
 * first, then what they talk to), the directory removed. Call at the top level of a test file.
 */
export function programWorkspace(prefix: string): { readonly ready: boolean; readonly dir: string; stopLater<T extends Stoppable>(thing: T): T } {
  let ready = false;
  let dir = '';
  const started: Stoppable[] = [];
  beforeAll(() => {
    ready = programReady();
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    for (const s of started) if ('stop' in s) await s.stop();
    for (const s of started) if ('close' in s) await s.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  return {
    get ready() {
      return ready;
    },
    get dir() {
      return dir;
    },
    stopLater(thing) {
      started.push(thing);
      return thing;
    },
  };
}
