import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loginFor, type BenchContext } from './bench-context.js';
import { curlGet, lftp } from './clients.js';
import { childScript, runTimed } from './process-utils.js';
import { mbps, roundRobin, type Subject, type Table } from './results.js';
import { formatSize } from './report.js';
import { HOST, REPO_ROOT } from './servers/bench-server.js';

/** The built `ftpkit` command-line client (apps/cli). */
export const FTPKIT_CLI = join(REPO_ROOT, 'apps/cli/dist/main.js');
/** The built `@ftpkit/client` library (the child imports it from there). */
export const FTPKIT_CLIENT = join(REPO_ROOT, 'packages/client/dist/index.js');

/** The clients of measurement 5 and whether each can run here. */
export function clientRows(have: { curl: boolean; lftp: boolean }): { name: string; ftpkit: boolean; available: boolean }[] {
  return [
    { name: 'ftpkit get', ftpkit: true, available: existsSync(FTPKIT_CLI) },
    { name: '@ftpkit/client', ftpkit: true, available: existsSync(FTPKIT_CLIENT) },
    { name: 'curl', ftpkit: false, available: have.curl },
    { name: 'lftp', ftpkit: false, available: have.lftp },
    { name: 'basic-ftp', ftpkit: false, available: true },
  ];
}

/**
 * Measurement 5: clients downloading the big file from vsftpd into a tmpfs file, whole-process
 * wall time → MB/s; each download is checked for size and removed.
 */
export async function measureClients(ctx: BenchContext): Promise<Table> {
  const size = ctx.opts.size;
  const table: Table = {
    id: 'client',
    title: `Clients downloading ${formatSize(size)} from vsftpd (MB/s, higher is better)`,
    metrics: [{ key: 'mbps', label: 'MB/s', higherIsBetter: true, ratio: true }],
    rows: [],
    notes: ['Each client writes the file to the tmpfs and is timed from spawn to exit.'],
  };
  const server = ctx.vsftpd;
  if (!server) { table.notes.push('vsftpd is not running: no client measurement.'); return table; }
  const login = loginFor(ctx, server);
  const subjects: Subject[] = [];
  for (const c of clientRows({ curl: ctx.clients.has('curl'), lftp: ctx.clients.has('lftp') })) {
    if (!c.available) { table.notes.push(`${c.name}: not available (not built or not installed), no row.`); continue; }
    subjects.push({
      name: c.name,
      ftpkit: c.ftpkit,
      run: async () => {
        const local = join(ctx.data.downloads, `client-${c.name.replace(/[^a-z0-9]+/gi, '-')}.bin`);
        const remote = ctx.data.big;
        const remoteUrl = `ftp://${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@${HOST}:${login.port}${remote}`;
        const node = (script: string): [string, string[]] => [process.execPath, [script, HOST, String(login.port), login.user, login.password, remote, local]];
        const [cmd, args] = c.name === 'curl' ? curlGet(login, remote, local)
          : c.name === 'lftp' ? lftp(login, `get ${remote} -o ${local}`)
            : c.name === 'basic-ftp' ? node(childScript('basic-ftp-get'))
              : c.name === '@ftpkit/client' ? node(childScript('ftpkit-client-get'))
                : [process.execPath, [FTPKIT_CLI, 'get', remoteUrl, local]] as [string, string[]];
        try {
          const r = await runTimed(cmd, args, { timeoutMs: ctx.opts.stepTimeoutMs });
          if (!r.ok) throw new Error(`${c.name} exit ${r.code}: ${r.stderr.trim()}`);
          const got = (await stat(local)).size;
          if (got !== size) throw new Error(`${c.name} wrote ${got} bytes, expected ${size}`);
          return { mbps: mbps(size, r.ms) };
        } finally {
          await rm(local, { force: true });
        }
      },
    });
  }
  await roundRobin(table, subjects, ctx);
  return table;
}
