import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the built child-process entries live (`tsup` puts them in dist/children). */
export const CHILDREN_DIR = join(import.meta.dirname, import.meta.dirname.endsWith('dist') ? 'children' : '../dist/children');

/** The path of a built child entry, e.g. `childScript('load-client')`. */
export function childScript(name: string): string {
  const path = join(CHILDREN_DIR, `${name}.js`);
  if (!existsSync(path)) throw new Error(`${path} is missing: build the bench package first (pnpm --filter @ftpkit/bench run build)`);
  return path;
}

/**
 * The open-files limit children that hold thousands of sockets get: this process's hard limit
 * (2,000 sessions need ~4,100 fds; a container may forbid raising the hard limit), at most 65536.
 */
export function fdLimit(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const hard = m?.[2] === 'unlimited' ? 65536 : Number(m?.[2] ?? 1024);
    return Math.min(65536, hard);
  } catch {
    return 1024;
  }
}

/** Prefixes a command so it runs with the raised open-files limit (`prlimit` execs, so the PID stays). */
export function withFdLimit(cmd: string, args: readonly string[]): [string, string[]] {
  const n = fdLimit();
  return ['prlimit', [`--nofile=${n}:${n}`, cmd, ...args]];
}

const live = new Set<ChildProcess>();

/** Spawns a child the harness tracks, so that an interrupted run leaves no process behind. */
export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Kills (by PID) every tracked child that still runs. */
export function killTracked(): void {
  for (const c of live) {
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone already */ }
    }
  }
}

/** Outcome of one timed command. */
export interface TimedRun {
  readonly ok: boolean;
  /** Whole-process wall time, spawn to exit. */
  readonly ms: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program to its end and times it (whole-process wall time). Killed by PID after `timeoutMs`;
 * a timeout or a non-zero exit counts as failure.
 */
export async function runTimed(cmd: string, args: readonly string[], opts: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string } ): Promise<TimedRun> {
  const spawnOpts: SpawnOptions = { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, ...(opts.cwd ? { cwd: opts.cwd } : {}) };
  const t0 = performance.now();
  const child = track(spawn(cmd, [...args], spawnOpts));
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < 1_000_000) stdout += d; });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 20_000) stderr += d; });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }
  }, opts.timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', (err) => { stderr += String(err); resolve(-1); });
    child.once('close', (c) => resolve(c));
  });
  clearTimeout(timer);
  const ms = performance.now() - t0;
  if (timedOut) stderr += `\n(timed out after ${opts.timeoutMs} ms)`;
  return { ok: !timedOut && code === 0, ms, code, stdout, stderr };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
