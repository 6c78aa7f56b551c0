import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { churnSession, OPERATIONS, runClient, Tally, type Operation } from './client-mix.js';
import { metric, scrape, type MetricSample } from './metrics-text.js';
import type { ProcessSample, ServerTarget } from './server-target.js';
import { mib, seededRandom } from './stats.js';

export interface LoadOptions {
  clients: number;
  durationMs: number;
  seed: number;
  thinkMs: number;
  /** Spread the clients' arrival over this long, ms. */
  rampMs: number;
}

/** The figures of one load run. */
export interface LoadReport {
  storage: string;
  where: string;
  clients: number;
  durationMs: number;
  operations: number;
  failures: number;
  failureSamples: string[];
  bytesVerified: number;
  latency: Record<Operation, { count: number; p50: number; p99: number }>;
  rss: { start: number; peak: number; end: number };
  fds: { start: number; end: number };
  eventLoopDelayP99Ms: number;
  /** Kernel accept-queue overflows during the run (machine-wide, other programs included). */
  listenOverflows: number;
  /** Differences between what the clients did and what /metrics counted (empty when they agree). */
  mismatches: string[];
}

/**
 * The kernel's count of connections dropped because a listener's accept queue was full
 * (TcpExt ListenOverflows, machine-wide): a client that waits for the server to speak first
 * (the 220 greeting) then waits forever.
 */
export function listenOverflows(): number {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0]?.split(/\s+/) ?? [];
    const values = lines[1]?.split(/\s+/) ?? [];
    return Number(values[names.indexOf('ListenOverflows')] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll until the server has no session open, then until its descriptors are back to `target` (bounded). */
async function settle(server: ServerTarget, fdTarget: number | undefined, timeoutMs: number): Promise<ProcessSample> {
  const deadline = performance.now() + timeoutMs;
  let sample = server.sample();
  for (;;) {
    const open = metric(await scrape(server.metricsUrl), 'ftpkit_sessions_open');
    sample = server.sample();
    if (open === 0 && (fdTarget === undefined || sample.fds <= fdTarget)) {
      await server.collectGarbage();
      return { ...sample, rssBytes: server.sample().rssBytes };
    }
    if (performance.now() > deadline) return sample;
    await sleep(250);
  }
}

function delta(after: MetricSample[], before: MetricSample[], name: string, labels: Record<string, string> = {}): number {
  return metric(after, name, labels) - metric(before, name, labels);
}

function crossCheck(before: MetricSample[], after: MetricSample[], t: Tally): string[] {
  const checks: Array<[string, number, number]> = [
    ['sessions', delta(after, before, 'ftpkit_sessions_total'), t.sessions],
    ['logins ok', delta(after, before, 'ftpkit_logins_total', { result: 'ok' }), t.logins],
    ['logins failed', delta(after, before, 'ftpkit_logins_total', { result: 'failed' }), 0],
    ['uploads ok', delta(after, before, 'ftpkit_transfers_total', { direction: 'upload', result: 'ok' }), t.uploads],
    ['downloads ok', delta(after, before, 'ftpkit_transfers_total', { direction: 'download', result: 'ok' }), t.downloads],
    ['listings ok', delta(after, before, 'ftpkit_transfers_total', { direction: 'list', result: 'ok' }), t.listings],
    ['transfers failed', delta(after, before, 'ftpkit_transfers_total', { result: 'failed' }), 0],
    ['transfers aborted', delta(after, before, 'ftpkit_transfers_total', { result: 'aborted' }), 0],
    ['bytes up', delta(after, before, 'ftpkit_transfer_bytes_total', { direction: 'upload' }), t.bytesUp],
    ['bytes down', delta(after, before, 'ftpkit_transfer_bytes_total', { direction: 'download' }), t.bytesDown],
    ['listing bytes', delta(after, before, 'ftpkit_transfer_bytes_total', { direction: 'list' }), t.listBytes],
    ['226 replies', delta(after, before, 'ftpkit_replies_total', { code: '226' }), t.uploads + t.downloads + t.listings],
    ['data-channel errors', delta(after, before, 'ftpkit_data_channel_errors_total'), 0],
    ['sessions open at end', metric(after, 'ftpkit_sessions_open'), 0],
  ];
  let errorReplies = 0;
  for (const s of after) {
    if (s.name !== 'ftpkit_replies_total' || !/^[45]/.test(s.labels.code ?? '')) continue;
    errorReplies += s.value - metric(before, s.name, { code: s.labels.code ?? '' });
  }
  checks.push(['4xx/5xx replies', errorReplies, 0]);
  return checks.filter(([, got, want]) => got !== want).map(([what, got, want]) => `${what}: /metrics ${got}, clients ${want}`);
}

/**
 * N clients against `server` for a fixed time, each in its own directory with a seeded random
 * mix; then the figures, cross-checked with /metrics.
 */
export async function runLoad(server: ServerTarget, o: LoadOptions): Promise<LoadReport> {
  // One session of every kind first: what the server (or the S3 SDK) makes once on first use is
  // then part of the baseline, not counted as a leak.
  const warm = new Tally();
  await runClient({
    port: server.port,
    user: server.user,
    password: server.password,
    dir: `/${server.storage}-warm-up`,
    until: performance.now() + 500,
    rng: seededRandom(o.seed),
    tally: warm,
    thinkMs: 0,
    timeoutMs: 60_000,
  });
  if (warm.failureCount > 0) throw new Error(`warm-up session failed: ${warm.failures.join('; ')}`);
  await settle(server, undefined, 10_000);
  const start = server.sample();
  const before = await scrape(server.metricsUrl);
  let peak = start.rssBytes;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, server.sample().rssBytes);
    } catch {
      // the process may be gone; the run reports the failure elsewhere
    }
  }, 200);
  const tally = new Tally();
  const overflowsBefore = listenOverflows();
  const began = performance.now();
  const until = began + o.rampMs + o.durationMs;
  const clients: Promise<void>[] = [];
  for (let i = 0; i < o.clients; i++) {
    const delay = (o.rampMs * i) / o.clients;
    clients.push(
      sleep(delay).then(() =>
        runClient({
          port: server.port,
          user: server.user,
          password: server.password,
          dir: `/${server.storage}-${o.seed}-c${i}`,
          until,
          rng: seededRandom(o.seed * 100_003 + i),
          tally,
          thinkMs: o.thinkMs,
          timeoutMs: 60_000,
        }),
      ),
    );
  }
  await Promise.all(clients);
  const elapsed = performance.now() - began;
  const end = await settle(server, start.fds, 20_000);
  clearInterval(sampler);
  peak = Math.max(peak, end.rssBytes);
  const after = await scrape(server.metricsUrl);
  const latency = {} as LoadReport['latency'];
  for (const op of OPERATIONS) {
    const log = tally.latency.get(op);
    latency[op] = { count: log?.count ?? 0, p50: log?.percentile(50) ?? Number.NaN, p99: log?.percentile(99) ?? Number.NaN };
  }
  return {
    storage: server.storage,
    where: server.where,
    clients: o.clients,
    durationMs: Math.round(elapsed),
    operations: tally.operations,
    failures: tally.failureCount,
    failureSamples: tally.failures,
    bytesVerified: tally.bytesVerified,
    latency,
    rss: { start: start.rssBytes, peak, end: end.rssBytes },
    fds: { start: start.fds, end: end.fds },
    eventLoopDelayP99Ms: metric(after, 'ftpkit_event_loop_delay_seconds', { quantile: '0.99' }) * 1000,
    listenOverflows: listenOverflows() - overflowsBefore,
    mismatches: crossCheck(before, after, tally),
  };
}

/** The figures of a churn run. */
export interface ChurnReport {
  sessions: number;
  failures: number;
  failureSamples: string[];
  durationMs: number;
  sessionP50Ms: number;
  sessionP99Ms: number;
  /** After the first 100 sessions (settled) and at the end. */
  early: ProcessSample;
  end: ProcessSample;
  /** V8 heap in use (from /metrics, after a full GC) at the same two points. */
  heapUsed: { early: number; end: number };
  /** Memory outside the V8 heap that V8 knows of (Buffers), same two points. */
  external: { early: number; end: number };
  mismatches: string[];
}

/**
 * `sessions` sessions in a row: connect, log in, one small STOR, QUIT. `warmup` sessions run first
 * and are not counted: the server's JIT and lazily built structures settle in them (the V8 heap in
 * use grows ~1 MiB once, between 100 and ~1,000 sessions, and then stays flat however many follow).
 */
export async function runChurn(server: ServerTarget, sessions: number, warmup = 0): Promise<ChurnReport> {
  const data = Buffer.alloc(1024, 0x5a);
  const warm = new Tally();
  for (let i = 0; i < warmup; i++) await churnSession(server.port, server.user, server.password, `/warm-${i % 64}.bin`, data, warm);
  if (warm.failureCount > 0) throw new Error(`warm-up sessions failed: ${warm.failures.join('; ')}`);
  const tally = new Tally();
  const before = await scrape(server.metricsUrl);
  const began = performance.now();
  let early: ProcessSample | undefined;
  let earlyHeap = Number.NaN;
  let earlyExternal = Number.NaN;
  for (let i = 0; i < sessions; i++) {
    await churnSession(server.port, server.user, server.password, `/churn-${i % 64}.bin`, data, tally);
    if (i === 99) {
      early = await settle(server, undefined, 10_000);
      const m = await scrape(server.metricsUrl);
      earlyHeap = metric(m, 'nodejs_heap_size_used_bytes');
      earlyExternal = metric(m, 'nodejs_external_memory_bytes');
    }
  }
  const durationMs = Math.round(performance.now() - began);
  const end = await settle(server, early?.fds, 20_000);
  const after = await scrape(server.metricsUrl);
  const endHeap = metric(after, 'nodejs_heap_size_used_bytes');
  const endExternal = metric(after, 'nodejs_external_memory_bytes');
  const mismatches = crossCheck(before, after, tally);
  const log = tally.latency.get('STOR');
  return {
    sessions,
    failures: tally.failureCount,
    failureSamples: tally.failures,
    durationMs,
    sessionP50Ms: log?.percentile(50) ?? Number.NaN,
    sessionP99Ms: log?.percentile(99) ?? Number.NaN,
    early: early ?? end,
    end,
    heapUsed: { early: earlyHeap, end: endHeap },
    external: { early: earlyExternal, end: endExternal },
    mismatches,
  };
}

const fmt = (ms: number): string => (Number.isNaN(ms) ? '-' : ms < 10 ? ms.toFixed(1) : String(Math.round(ms)));

/** A plain-text table of a load run. */
export function formatLoadReport(r: LoadReport): string {
  const lines = [
    `storage ${r.storage} (${r.where} server): ${r.clients} clients, ${(r.durationMs / 1000).toFixed(1)} s, ${r.operations} operations, ${r.failures} failures, ${mib(r.bytesVerified)} verified by sha256`,
    `  RSS start ${mib(r.rss.start)}, peak ${mib(r.rss.peak)}, end ${mib(r.rss.end)}; fds start ${r.fds.start}, end ${r.fds.end}; event-loop delay p99 ${fmt(r.eventLoopDelayP99Ms)} ms; kernel listen overflows ${r.listenOverflows}`,
    `  ${'command'.padEnd(10)} ${'count'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`,
  ];
  for (const [op, l] of Object.entries(r.latency)) lines.push(`  ${op.padEnd(10)} ${String(l.count).padStart(7)} ${fmt(l.p50).padStart(8)} ${fmt(l.p99).padStart(8)}`);
  lines.push(`  /metrics cross-check: ${r.mismatches.length === 0 ? 'all counts agree' : r.mismatches.join('; ')}`);
  for (const f of r.failureSamples) lines.push(`  failure: ${f}`);
  return lines.join('\n');
}

export function formatChurnReport(r: ChurnReport): string {
  const lines = [
    `churn: ${r.sessions} sessions in a row in ${(r.durationMs / 1000).toFixed(1)} s, ${r.failures} failures, session p50 ${fmt(r.sessionP50Ms)} ms, p99 ${fmt(r.sessionP99Ms)} ms`,
    `  after 100 sessions: RSS ${mib(r.early.rssBytes)}, fds ${r.early.fds}; at the end: RSS ${mib(r.end.rssBytes)} (${(((r.end.rssBytes - r.early.rssBytes) / r.early.rssBytes) * 100).toFixed(1)}%), fds ${r.end.fds}; V8 heap used ${mib(r.heapUsed.early)} -> ${mib(r.heapUsed.end)}, external ${mib(r.external.early)} -> ${mib(r.external.end)}`,
    `  /metrics cross-check: ${r.mismatches.length === 0 ? 'all counts agree' : r.mismatches.join('; ')}`,
  ];
  for (const f of r.failureSamples) lines.push(`  failure: ${f}`);
  return lines.join('\n');
}
