import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatChurnReport, formatLoadReport, runChurn, runLoad } from './run-load.js';
import { startChildServer, startServer, type StorageKind } from './server-target.js';

// `pnpm test:load` sets LOAD_SIZE=full (500 clients, 10,000-session churn); `pnpm test` runs the CI size.
const full = process.env.LOAD_SIZE === 'full';
const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
};
const SIZE = {
  clients: num('LOAD_CLIENTS', full ? 500 : 100),
  durationMs: num('LOAD_DURATION_MS', full ? 30_000 : 5_000),
  churn: num('LOAD_CHURN', full ? 10_000 : 1_000),
  // Uncounted sessions before the churn, so its baseline is a warm server (see runChurn).
  churnWarmup: num('LOAD_CHURN_WARMUP', 1_000),
  thinkMs: num('LOAD_THINK_MS', 20),
  rampMs: num('LOAD_RAMP_MS', full ? 3_000 : 1_000),
  seed: num('LOAD_SEED', 20_261_125),
};
const STORAGES = (process.env.LOAD_STORAGES ?? 'memory,local,s3').split(',') as StorageKind[];
const budget = (SIZE.durationMs + SIZE.rampMs) * 4 + 120_000;

function report(text: string): void {
  console.log(text);
  const file = process.env.LOAD_REPORT;
  if (file !== undefined && file !== '') appendFileSync(file, `${text}\n`);
}

describe(`load (${full ? 'full' : 'CI'} size: ${SIZE.clients} clients, ${SIZE.durationMs} ms, seed ${SIZE.seed})`, () => {
  for (const storage of STORAGES) {
    it(
      `${storage}: every byte verified, 0 failures, /metrics agrees, descriptors back to the start`,
      async () => {
        const server = await startServer(storage);
        try {
          const r = await runLoad(server, SIZE);
          report(formatLoadReport(r));
          expect(r.failureSamples).toEqual([]);
          expect(r.failures).toBe(0);
          expect(r.mismatches).toEqual([]);
          expect(r.operations).toBeGreaterThan(0);
          expect(r.fds.end).toBeLessThanOrEqual(r.fds.start);
        } finally {
          await server.stop();
        }
      },
      budget,
    );
  }

  it(
    `churn: ${SIZE.churn} sessions in a row after ${SIZE.churnWarmup} warm-up ones, descriptors and heap (and RSS, ${full ? '10' : '25'}%) at the end within 10% of after the first 100`,
    async () => {
      // V8 grows its young generation during the first ~1,000 sessions (RSS +30%, heap in use
      // flat); sizing it up front makes "after 100 sessions" a fair baseline for a leak check.
      const server = await startChildServer('memory', ['--min-semi-space-size=16']);
      try {
        const r = await runChurn(server, SIZE.churn, SIZE.churnWarmup);
        report(formatChurnReport(r));
        expect(r.failureSamples).toEqual([]);
        expect(r.mismatches).toEqual([]);
        expect(r.end.fds).toBeLessThanOrEqual(Math.ceil(r.early.fds * 1.1));
        // What a leak would grow: the V8 heap in use after a full GC.
        expect(r.heapUsed.end).toBeLessThanOrEqual(r.heapUsed.early * 1.1);
        // RSS: the bound (10%) in the full run. Over the CI run's 1,000 sessions on a
        // shared machine RSS moves 4-14% with a flat heap (memory V8 and malloc keep committed),
        // so CI allows 25% rather than fail at random.
        expect(r.end.rssBytes).toBeLessThanOrEqual(r.early.rssBytes * (full ? 1.1 : 1.25));
      } finally {
        await server.stop();
      }
    },
    SIZE.churn * 50 + 60_000,
  );
});
