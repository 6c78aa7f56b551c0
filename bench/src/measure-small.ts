import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loginFor, type BenchContext } from './bench-context.js';
import { ftplibSmall, lftp } from './clients.js';
import { runTimed } from './process-utils.js';
import { roundRobin, type Subject, type Table } from './results.js';
import { formatSize } from './report.js';

/**
 * Measurement 2: many small files in one session, with Python ftplib (one RETR after another) or
 * lftp mirror (LIST, then the files) → files per second of whole-process wall time.
 */
export async function measureSmallFiles(ctx: BenchContext, client: 'ftplib' | 'lftp'): Promise<Table> {
  const n = ctx.data.smallNames.length;
  const table: Table = {
    id: `small-${client}`,
    title: `${n} files of ${formatSize(ctx.opts.fileSize)} in one session with ${client === 'lftp' ? 'lftp mirror' : 'Python ftplib'} (files/s, higher is better)`,
    metrics: [{ key: 'fps', label: 'files/s', higherIsBetter: true, ratio: true }],
    rows: [],
    notes: [],
  };
  const subjects: Subject[] = ctx.servers.map((s) => ({
    name: s.name,
    ftpkit: s.ftpkit,
    run: async () => {
      const login = loginFor(ctx, s);
      const local = join(ctx.data.downloads, `mirror-${s.name}`);
      if (client === 'lftp') await mkdir(local, { recursive: true });
      const [cmd, args] = client === 'ftplib' ? ftplibSmall(login, ctx.data.smallDir, n) : lftp(login, `mirror --parallel=1 ${ctx.data.smallDir} ${local}`);
      try {
        const r = await runTimed(cmd, args, { timeoutMs: ctx.opts.stepTimeoutMs });
        // A Python traceback says what failed on its last lines.
        if (!r.ok) throw new Error(`${client} exit ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
        if (client === 'lftp') {
          const got = (await readdir(local)).length;
          if (got !== n) throw new Error(`lftp mirror fetched ${got} files, expected ${n}`);
        }
        return { fps: n / (r.ms / 1000) };
      } finally {
        await rm(local, { recursive: true, force: true });
      }
    },
  }));
  await roundRobin(table, subjects, ctx);
  return table;
}
