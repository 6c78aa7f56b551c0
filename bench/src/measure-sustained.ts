import { readFile } from 'node:fs/promises';
import { PYTHON } from '@ftpkit/test-servers';
import { loginFor, type BenchContext } from './bench-context.js';
import { runTimed } from './process-utils.js';
import { roundRobin, type Subject, type Table } from './results.js';
import { HOST } from './servers/bench-server.js';
import { formatSize } from './report.js';

/** Files per ftplib session; the run is several sessions one after another. */
const FILES_PER_SESSION = 5000;
/** Runs at most: one run is tens of thousands of transfers. */
const MAX_RUNS = 3;

const FTPLIB_SUSTAINED = `
import ftplib, json, sys, time
host, port, user, pw, d = sys.argv[1:6]
nfiles, total, per, window = (int(x) for x in sys.argv[6:10])
sink = lambda b: None
stamps = []
t0 = time.monotonic()
done = 0
while done < total:
    f = ftplib.FTP()
    f.connect(host, int(port), timeout=60)
    f.login(user, pw)
    f.cwd(d)
    for _ in range(min(per, total - done)):
        f.retrbinary('RETR f%05d.bin' % (done % nfiles), sink)
        done += 1
        stamps.append(time.monotonic())
    f.quit()
first = window / (stamps[window - 1] - t0)
last = window / (stamps[-1] - stamps[-1 - window])
print(json.dumps({'first': first, 'last': last, 'overall': total / (stamps[-1] - t0)}))
`;

/** Sockets in TIME_WAIT on this machine (`tw` of /proc/net/sockstat), or NaN where it cannot be read. */
export async function timeWaitSockets(file = '/proc/net/sockstat'): Promise<number> {
  try {
    const m = /^TCP:.*\btw (\d+)/m.exec(await readFile(file, 'utf8'));
    return m?.[1] === undefined ? Number.NaN : Number(m[1]);
  } catch {
    return Number.NaN;
  }
}

/**
 * Sustained load: `--sustained` small-file downloads back to back with Python ftplib (sessions of
 * 5000 one after another, cycling through the small files), against ftpkit as started by the bench,
 * with its default passive ports. The rate of the last 1000 files against the first 1000 shows
 * whether the data connections' TIME_WAIT sockets slow the server down once tens of thousands of
 * them have piled up (issue 18).
 */
export async function measureSustained(ctx: BenchContext): Promise<Table> {
  const total = ctx.opts.sustained;
  const nfiles = ctx.data.smallNames.length;
  const window = Math.min(1000, Math.floor(total / 3));
  const table: Table = {
    id: 'sustained',
    title: `${total} files of ${formatSize(ctx.opts.fileSize)} back to back with Python ftplib (sessions of ${FILES_PER_SESSION}), default settings: last ${window} vs first ${window}`,
    metrics: [
      { key: 'keep', label: `last ${window} ÷ first ${window}`, higherIsBetter: true, ratio: false },
      { key: 'first', label: `first ${window} files/s`, higherIsBetter: true, ratio: false },
      { key: 'last', label: `last ${window} files/s`, higherIsBetter: true, ratio: false },
      { key: 'overall', label: 'files/s overall', higherIsBetter: true, ratio: false },
      { key: 'tw', label: 'TIME_WAIT sockets at the end', higherIsBetter: false, ratio: false },
    ],
    rows: [],
    notes: [
      'ftpkit only, started with its default passive ports (outside the kernel ephemeral range, chosen at random). The server closes each data connection first, so the TIME_WAIT sockets are its own, on its passive ports.',
      'TIME_WAIT sockets: the machine-wide count (/proc/net/sockstat) when the run ended.',
    ],
  };
  const subjects: Subject[] = ctx.servers.filter((s) => s.ftpkit).map((s) => ({
    name: s.name,
    ftpkit: true,
    run: async () => {
      const l = loginFor(ctx, s);
      const args = ['-c', FTPLIB_SUSTAINED, HOST, String(l.port), l.user, l.password, ctx.data.smallDir, String(nfiles), String(total), String(FILES_PER_SESSION), String(window)];
      const r = await runTimed(PYTHON, args, { timeoutMs: ctx.opts.stepTimeoutMs });
      if (!r.ok) throw new Error(`ftplib exit ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
      const res = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { first: number; last: number; overall: number };
      return { keep: res.last / res.first, first: res.first, last: res.last, overall: res.overall, tw: await timeWaitSockets() };
    },
  }));
  await roundRobin(table, subjects, { ...ctx, opts: { runs: Math.min(ctx.opts.runs, MAX_RUNS) } });
  return table;
}
