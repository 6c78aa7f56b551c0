import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MEASUREMENTS, type BenchOptions } from '../options.js';
import { REPO_ROOT } from '../servers/bench-server.js';
import type { BenchResult } from '../run-bench.js';

const exec = promisify(execFile);
const BENCH_DIR = join(import.meta.dirname, '../..');

/**
 * Builds bench/dist (the harness spawns its child processes from there) when it is missing or older
 * than src/. Under a lock, checked inside it, so parallel test files never rebuild under each other.
 */
export async function ensureBuilt(): Promise<void> {
  const tsup = join(REPO_ROOT, 'node_modules/.bin/tsup');
  const probe = 'dist/children/load-client.js';
  await exec('flock', ['/tmp/ftpkit-bench-build.lock', 'sh', '-c',
    `if [ -f ${probe} ] && [ -z "$(find src -newer ${probe} -not -name '*.test.ts' | head -1)" ]; then exit 0; fi; exec ${tsup}`], { cwd: BENCH_DIR, timeout: 60_000 });
}

/** Whether the smoke tests can run here: they need root (a local account for vsftpd). */
export function smokeCanRun(): boolean {
  const root = process.getuid?.() === 0;
  if (!root && process.env.CI) throw new Error('the bench smoke tests need root (they create a local account for vsftpd)');
  return root;
}

/** Tiny sizes, one run each: every code path of a full run in seconds. */
export function smokeOptions(servers: readonly string[], outDir: string): BenchOptions {
  return {
    runs: 1, size: 2 * 1024 * 1024, files: 12, fileSize: 4096, sustained: 60, burst: 8, burstFileSize: 16 * 1024, idle: 16,
    only: new Set(MEASUREMENTS), servers: new Set(servers), outDir, stepTimeoutMs: 30_000, lftp: true, maxMinutes: 10, settleMs: 100,
  };
}

/** The tables that have one row per server, without and with the lftp variants. */
export const SERVER_TABLES = ['retr-curl', 'stor-curl', 'small-ftplib', 'burst-0', 'burst-1000', 'idle'];
export const LFTP_TABLES = ['retr-lftp', 'stor-lftp', 'small-lftp'];

/**
 * Every row of the named tables ran without a failure and produced every figure of its table (a
 * row with no figure would leave its targets 'n/a' and its chart bar missing). Returns the
 * problems found, `[]` when there are none.
 */
export function missingFigures(result: BenchResult, ids: readonly string[]): string[] {
  const problems: string[] = [];
  for (const id of ids) {
    const t = result.tables.find((x) => x.id === id);
    if (!t) { problems.push(`${id}: no table`); continue; }
    if (t.rows.length === 0) problems.push(`${id}: no rows (${t.notes.join(' ')})`);
    for (const r of t.rows) {
      if (r.failures > 0) problems.push(`${id} ${r.subject}: ${r.failures} failed run(s): ${r.errors.join('; ')}`);
      for (const m of t.metrics) {
        const v = r.samples[m.key] ?? [];
        if (v.length === 0 || !v.every((x) => Number.isFinite(x) && x > 0)) problems.push(`${id} ${r.subject}: no ${m.label} figure (${JSON.stringify(v)})`);
      }
    }
  }
  return problems;
}

/** The first sample of one metric of one row, or NaN. */
export function sample(result: BenchResult, id: string, subject: string, key: string): number {
  return result.tables.find((t) => t.id === id)?.rows.find((r) => r.subject === subject)?.samples[key]?.[0] ?? Number.NaN;
}
