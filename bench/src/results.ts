/** One figure a table reports per row, e.g. MB/s or p95 ms. */
export interface Metric {
  readonly key: string;
  readonly label: string;
  readonly higherIsBetter: boolean;
  /** Whether the table gets "ftpkit ÷ peer" columns for this metric. */
  readonly ratio: boolean;
}

/** One subject (server or client) of a table, with its samples over the runs. */
export interface Row {
  readonly subject: string;
  readonly ftpkit: boolean;
  /** Per metric, the values of the successful runs. */
  readonly samples: Record<string, number[]>;
  runs: number;
  failures: number;
  /** First error of each kind, shown under the table. */
  readonly errors: string[];
}

/** One measurement's table. */
export interface Table {
  readonly id: string;
  readonly title: string;
  readonly metrics: readonly Metric[];
  readonly rows: Row[];
  readonly notes: string[];
}

/** A subject of a round-robin: its row and how to run it once. */
export interface Subject {
  readonly name: string;
  readonly ftpkit: boolean;
  /** One run: the metric values, or an error (counted as a failed run). */
  run(run: number): Promise<Record<string, number>>;
}

/**
 * Runs every subject `runs` times, interleaved round-robin, and rotates the order each round so no
 * subject always goes first (page cache, CPU frequency and TIME_WAIT state even out).
 */
export async function roundRobin(table: Table, subjects: readonly Subject[], ctx: { opts: { runs: number }; deadline: number; log(line: string): void }): Promise<void> {
  const { runs } = ctx.opts;
  const log = (line: string): void => ctx.log(line);
  const rows = new Map<string, Row>();
  for (const s of subjects) {
    const row: Row = { subject: s.name, ftpkit: s.ftpkit, samples: {}, runs: 0, failures: 0, errors: [] };
    for (const m of table.metrics) row.samples[m.key] = [];
    rows.set(s.name, row);
    table.rows.push(row);
  }
  const started = Date.now();
  for (let r = 0; r < runs; r++) {
    // The time budget (--max-minutes, this measurement's share of it): the first round always
    // runs; another starts only when a round as long as the average so far still fits.
    const perRound = r > 0 ? (Date.now() - started) / r : 0;
    if (r > 0 && Date.now() + perRound > ctx.deadline) {
      table.notes.push(`Stopped after ${r} of ${runs} rounds: another round (~${Math.round(perRound / 1000)} s) would not fit this measurement's share of the time budget (--max-minutes).`);
      log(`${table.id}: time budget share used up after ${r} rounds`);
      break;
    }
    for (let i = 0; i < subjects.length; i++) {
      const s = subjects[(i + r) % subjects.length] as Subject;
      const row = rows.get(s.name) as Row;
      row.runs++;
      try {
        const values = await s.run(r);
        for (const [k, v] of Object.entries(values)) row.samples[k]?.push(v);
        log(`${table.id} run ${r + 1}/${runs} ${s.name}: ${Object.entries(values).map(([k, v]) => `${k}=${round(v)}`).join(' ')}`);
      } catch (err) {
        row.failures++;
        const msg = (err as Error).message.replace(/\s+/g, ' ').slice(0, 300);
        if (row.errors.length < 3 && !row.errors.includes(msg)) row.errors.push(msg);
        log(`${table.id} run ${r + 1}/${runs} ${s.name}: FAILED ${msg}`);
      }
    }
  }
}

export function round(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** MB/s (10^6 bytes per second) for `bytes` moved in `ms`. */
export function mbps(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}
