import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loginFor, type BenchContext } from './bench-context.js';
import type { BenchServer } from './servers/bench-server.js';
import { childScript, sleep, track, withFdLimit } from './process-utils.js';
import { roundRobin, type Subject, type Table } from './results.js';
import { treeMemory } from './rss.js';

/**
 * Measurement 4: COUNT logged-in sessions held open; server memory per session is
 * (tree PSS with the sessions − tree PSS before) ÷ sessions held.
 */
export async function measureIdle(ctx: BenchContext): Promise<Table> {
  const count = ctx.opts.idle;
  const table: Table = {
    id: 'idle',
    title: `${count} idle logged-in sessions (server memory per session, lower is better)`,
    metrics: [
      { key: 'held', label: 'sessions held', higherIsBetter: true, ratio: false },
      { key: 'kib', label: 'KiB/session', higherIsBetter: false, ratio: true },
      { key: 'base', label: 'baseline MiB', higherIsBetter: false, ratio: false },
    ],
    rows: [],
    notes: ['Memory is the PSS of the server\'s whole process tree (vsftpd and pure-ftpd fork per session), read a moment after the last login, on a freshly started process of the server.'],
  };
  const timeoutMs = Math.min(ctx.opts.stepTimeoutMs, 300_000);
  const longRunning = new Set<string>();
  const subjects: Subject[] = ctx.servers.map((s) => ({
    name: s.name,
    ftpkit: s.ftpkit,
    run: async () => {
      // A fresh process: the long-running one carries heap grown by the earlier measurements,
      // which would hide what the sessions cost.
      const f = await ctx.fresh(s);
      if (f === undefined) longRunning.add(s.name);
      try {
        return await holdIdle(ctx, f ?? s, count, timeoutMs);
      } finally {
        await f?.stop();
      }
    },
  }));
  await roundRobin(table, subjects, ctx);
  if (longRunning.size > 0) table.notes.push(`Measured on the long-running process (a fresh one would need its data set loaded again): ${[...longRunning].join(', ')}.`);
  return table;
}

/** One idle run against `s`: baseline, hold the sessions, measure, release. */
async function holdIdle(ctx: BenchContext, s: BenchServer, count: number, timeoutMs: number): Promise<Record<string, number>> {
  const login = loginFor(ctx, s);
  await sleep(ctx.opts.settleMs);
  const base = await treeMemory(s.pid);
  const [cmd, args] = withFdLimit(process.execPath, [
    childScript('load-client'), 'idle', '127.0.0.1', String(login.port), login.user, login.password,
    String(count), '32', String(timeoutMs),
  ]);
  const child = track(spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 10_000) stderr += d; });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      rl.once('line', resolve);
      child.once('close', (code) => reject(new Error(`load client exited ${code} before ready: ${stderr.trim()}`)));
    });
    const m = /^ready (\d+) (.*)$/.exec(line);
    if (!m) throw new Error(`load client said: ${line}`);
    const held = Number(m[1]);
    if (held < count) ctx.log(`idle ${s.name}: ${count - held} sessions not held: ${m[2]}`);
    if (held === 0) throw new Error(`no session held: ${m[2]}`);
    await sleep(ctx.opts.settleMs);
    const loaded = await treeMemory(s.pid);
    return { held, kib: (loaded - base) / held / 1024, base: base / 1024 / 1024 };
  } finally {
    child.stdin?.end('\n');
    const timer = setTimeout(() => { if (child.pid) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } } }, 10_000);
    await exited;
    clearTimeout(timer);
    // Servers that fork per session need a moment to reap them before the next baseline.
    await sleep(ctx.opts.settleMs);
  }
}
