import { parseArgs } from 'node:util';

/** The measurements, by the name `--only` takes. */
export const MEASUREMENTS = ['retr', 'stor', 'small', 'sustained', 'burst', 'idle', 'client', 'upload', 'ftps', 'raw', 'bare'] as const;
export type MeasurementId = (typeof MEASUREMENTS)[number];

/** Everything a run is shaped by; every count and time is bounded. */
export interface BenchOptions {
  /** Runs per server and measurement (median and min–max are over these). */
  runs: number;
  /** Size of the big file for RETR/STOR, the client comparison and the raw socket. */
  size: number;
  /** Number of small files downloaded in one session. */
  files: number;
  /** Size of each small file. */
  fileSize: number;
  /** Small files downloaded back to back in the sustained measurement. */
  sustained: number;
  /** Clients in each burst. */
  burst: number;
  /** Size of the file each burst client retrieves. */
  burstFileSize: number;
  /** Idle logged-in sessions held open. */
  idle: number;
  only: ReadonlySet<MeasurementId>;
  /** Restricts the servers (names as in the tables); empty means all. */
  servers: ReadonlySet<string>;
  /** Folder the Markdown results go to. */
  outDir: string;
  /** Time limit of any single client run or step. */
  stepTimeoutMs: number;
  /** Whether to run the lftp variants of the transfer and small-file measurements (smoke runs split them). */
  lftp: boolean;
  /** Time budget of the whole run, shared out between the measurements (see budget.ts); none is skipped, each runs at least once. */
  maxMinutes: number;
  /** Pause that lets a server reap sessions and settle its memory between runs (smoke runs shorten it). */
  settleMs: number;
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses `4096`, `64K`, `1M`, `1G`, `1GiB` (binary units). */
export function parseSize(text: string): number {
  const m = /^(\d+)\s*([kmg]?)(i?b)?$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  const n = Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1);
  if (!(n > 0)) throw new Error(`size must be positive: ${text}`);
  return n;
}

/** The `--size` spelling of a byte count (`1G`, `64M`, `4K`, or plain bytes). */
export function sizeArg(bytes: number): string {
  for (const [u, n] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) if (bytes % n === 0) return `${bytes / n}${u}`;
  return String(bytes);
}

/** The command line that repeats a run with these options. */
export function commandLine(o: BenchOptions): string {
  const parts = [`--runs ${o.runs}`, `--size ${sizeArg(o.size)}`, `--files ${o.files}`, `--file-size ${sizeArg(o.fileSize)}`, `--sustained ${o.sustained}`,
    `--burst ${o.burst}`, `--burst-file-size ${sizeArg(o.burstFileSize)}`, `--idle ${o.idle}`, `--only ${[...o.only].join(',')}`];
  if (o.servers.size > 0) parts.push(`--servers ${[...o.servers].join(',')}`);
  return `pnpm bench -- ${parts.join(' ')}`;
}

function bounded(name: string, text: string, lo: number, hi: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`--${name} must be an integer in ${lo}..${hi}`);
  return n;
}

export const USAGE = `usage: pnpm bench [-- options]
  --runs N          runs per server and measurement (default 5, max 50)
  --size SIZE       big file for RETR/STOR/FTPS/client/raw/bare (default 1G; e.g. 64M)
  --files N         small files in one session (default 1000)
  --file-size SIZE  size of each small file (default 4K)
  --sustained N     small files back to back, several sessions (default 30000)
  --burst N         clients per burst (default 200)
  --idle N          idle sessions held open (default 2000)
  --only LIST       comma list of ${MEASUREMENTS.join(',')} (default all)
  --servers LIST    comma list of server names (default all)
  --out DIR         results folder (default bench/results)
  --step-timeout S  seconds any single step may take (default 300: a hung run costs at most that)
  --max-minutes M   time budget, shared out in proportion to each measurement's estimated cost; a
                    measurement runs fewer rounds (never none) when its share is used up (default 28: with the
                    build and setup before it, a full run stays near 30 min)`;

/** Parses the command line (after `node dist/main.js`). */
export function parseOptions(argv: readonly string[], defaultOutDir: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      runs: { type: 'string', default: '5' },
      size: { type: 'string', default: '1G' },
      files: { type: 'string', default: '1000' },
      'file-size': { type: 'string', default: '4K' },
      sustained: { type: 'string', default: '30000' },
      burst: { type: 'string', default: '200' },
      'burst-file-size': { type: 'string', default: '64K' },
      idle: { type: 'string', default: '2000' },
      only: { type: 'string', default: MEASUREMENTS.join(',') },
      servers: { type: 'string', default: '' },
      out: { type: 'string', default: defaultOutDir },
      'step-timeout': { type: 'string', default: '300' },
      'max-minutes': { type: 'string', default: '28' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const only = new Set<MeasurementId>();
  for (const part of values.only.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(MEASUREMENTS as readonly string[]).includes(part)) throw new Error(`--only: unknown measurement ${part} (know ${MEASUREMENTS.join(', ')})`);
    only.add(part as MeasurementId);
  }
  const size = parseSize(values.size);
  if (size > 8 * 1024 ** 3) throw new Error('--size is capped at 8G');
  return {
    runs: bounded('runs', values.runs, 1, 50),
    size,
    files: bounded('files', values.files, 1, 100_000),
    fileSize: parseSize(values['file-size']),
    sustained: bounded('sustained', values.sustained, 3, 200_000),
    burst: bounded('burst', values.burst, 1, 5000),
    burstFileSize: parseSize(values['burst-file-size']),
    idle: bounded('idle', values.idle, 1, 20_000),
    only,
    servers: new Set(values.servers.split(',').map((s) => s.trim()).filter(Boolean)),
    outDir: values.out,
    stepTimeoutMs: bounded('step-timeout', values['step-timeout'], 1, 3600) * 1000,
    lftp: true,
    maxMinutes: bounded('max-minutes', values['max-minutes'], 1, 600),
    settleMs: 1000,
  };
}
