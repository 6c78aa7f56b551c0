import { loginFor, type BenchContext } from './bench-context.js';
import { childScript, runTimed, sleep, withFdLimit } from './process-utils.js';
import { roundRobin, type Subject, type Table } from './results.js';
import { samplePeakMemory, treeMemory } from './rss.js';
import { quantile } from './stats.js';
import { formatSize } from './report.js';

/** A burst session that takes longer than this counts as lost. */
const SESSION_TIMEOUT_MS = 20_000;

interface BurstResult {
  ok: number;
  failed: number;
  ms: number[];
  errors: Record<string, number>;
}

/**
 * Measurement 3: CLIENTS sessions of login + LIST + RETR + QUIT, all released in one tick
 * (`spreadMs` 0) or spread evenly over `spreadMs`; the load client runs in its own process. Reports
 * successes, p50/p95 session time, and the server tree's peak memory while the burst ran.
 */
export async function measureBurst(ctx: BenchContext, spreadMs: number): Promise<Table> {
  const clients = ctx.opts.burst;
  const table: Table = {
    id: `burst-${spreadMs}`,
    title: `${clients} clients ${spreadMs === 0 ? 'at once' : `spread over ${spreadMs} ms`}, each login + LIST + RETR ${formatSize(ctx.opts.burstFileSize)} + QUIT`,
    metrics: [
      { key: 'ok', label: 'sessions ok', higherIsBetter: true, ratio: false },
      { key: 'p50', label: 'p50 ms', higherIsBetter: false, ratio: false },
      { key: 'p95', label: 'p95 ms', higherIsBetter: false, ratio: true },
      { key: 'peak', label: 'peak MiB', higherIsBetter: false, ratio: true },
      { key: 'grow', label: 'growth MiB', higherIsBetter: false, ratio: false },
    ],
    rows: [],
    notes: [
      `p50/p95 are over the sessions that succeeded; a session that fails or takes over ${SESSION_TIMEOUT_MS / 1000} s counts as lost (a connection left in a full accept queue never gets its greeting).`,
      'peak MiB: highest PSS of the server\'s whole process tree (forked session processes included), sampled every 50 ms; growth MiB: peak minus the tree\'s memory just before the burst (what the sessions themselves cost, without what earlier measurements left behind).',
    ],
  };
  const subjects: Subject[] = ctx.servers.map((s) => ({
    name: s.name,
    ftpkit: s.ftpkit,
    run: async () => {
      const login = loginFor(ctx, s);
      const before = await treeMemory(s.pid);
      const sampler = samplePeakMemory(s.pid);
      const [cmd, args] = withFdLimit(process.execPath, [
        childScript('load-client'), 'burst', '127.0.0.1', String(login.port), login.user, login.password,
        String(clients), String(spreadMs), ctx.data.loadFile, String(SESSION_TIMEOUT_MS),
      ]);
      const r = await runTimed(cmd, args, { timeoutMs: Math.min(ctx.opts.stepTimeoutMs, 120_000) });
      const peak = await sampler.stop();
      if (!r.ok) throw new Error(`load client exit ${r.code}: ${r.stderr.trim()}`);
      const res = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as BurstResult;
      if (res.failed > 0) ctx.log(`burst ${s.name}: ${res.failed} lost: ${JSON.stringify(res.errors)}`);
      // Let closing sessions and TIME_WAIT settle before the next server's burst.
      await sleep(ctx.opts.settleMs / 2);
      const out: Record<string, number> = { ok: res.ok, peak: peak / 1024 / 1024, grow: Math.max(0, peak - before) / 1024 / 1024 };
      if (res.ms.length > 0) { out.p50 = quantile(res.ms, 0.5); out.p95 = quantile(res.ms, 0.95); }
      return out;
    },
  }));
  await roundRobin(table, subjects, ctx);
  return table;
}
