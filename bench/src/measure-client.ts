import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loginFor, type BenchContext } from './bench-context.js';
import { curlGet, curlPut, lftp, type Login } from './clients.js';
import { childScript, runTimed } from './process-utils.js';
import { mbps, roundRobin, type Subject, type Table } from './results.js';
import { formatSize } from './report.js';
import { HOST, REPO_ROOT, type BenchServer } from './servers/bench-server.js';

/** The built `ftpkit` command-line client (apps/cli). */
export const FTPKIT_CLI = join(REPO_ROOT, 'apps/cli/dist/main.js');
/** The built `@ftpkit/client` library (the child imports it from there). */
export const FTPKIT_CLIENT = join(REPO_ROOT, 'packages/client/dist/index.js');

/** What a client table measures: downloads, uploads, or downloads over explicit TLS (from vsftpd with TLS). */
export type ClientTask = 'download' | 'upload' | 'download-tls';

/** The table id of each client task (the targets and the README name them). */
export const CLIENT_TABLE: Record<ClientTask, string> = { download: 'client', upload: 'client-upload', 'download-tls': 'client-tls' };

/** The clients of a client table and whether each can run here. */
export function clientRows(have: { curl: boolean; lftp: boolean }, task: ClientTask = 'download'): { name: string; ftpkit: boolean; available: boolean }[] {
  const cli = task === 'upload' ? 'ftpkit put' : 'ftpkit get';
  const rows = [
    { name: cli, ftpkit: true, available: existsSync(FTPKIT_CLI) },
    { name: '@ftpkit/client', ftpkit: true, available: existsSync(FTPKIT_CLIENT) },
    { name: 'curl', ftpkit: false, available: have.curl },
  ];
  // Over TLS the issue compares the ftpkit clients with curl only.
  if (task !== 'download-tls') rows.push({ name: 'lftp', ftpkit: false, available: have.lftp }, { name: 'basic-ftp', ftpkit: false, available: true });
  return rows;
}

function slug(name: string): string {
  return name.replace(/[^a-z0-9]+/gi, '-');
}

/** The command one client runs for one transfer. */
function command(name: string, task: ClientTask, login: Login, remote: string, local: string): [string, string[]] {
  const tls = task === 'download-tls';
  const remoteUrl = `ftp://${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@${HOST}:${login.port}${remote}`;
  const node = (script: string, a: string, b: string, extra: string[] = []): [string, string[]] =>
    [process.execPath, [childScript(script), HOST, String(login.port), login.user, login.password, a, b, ...extra]];
  if (task === 'upload') {
    switch (name) {
      case 'curl': return curlPut(login, local, remote);
      case 'lftp': return lftp(login, `put ${local} -o ${remote}`);
      case 'basic-ftp': return node('basic-ftp-put', local, remote);
      case '@ftpkit/client': return node('ftpkit-client-put', local, remote);
      default: return [process.execPath, [FTPKIT_CLI, 'put', local, remoteUrl]];
    }
  }
  switch (name) {
    case 'curl': return curlGet(login, remote, local, tls);
    case 'lftp': return lftp(login, `get ${remote} -o ${local}`);
    case 'basic-ftp': return node('basic-ftp-get', remote, local);
    case '@ftpkit/client': return node('ftpkit-client-get', remote, local, tls ? ['tls'] : []);
    default: return [process.execPath, [FTPKIT_CLI, 'get', ...(tls ? ['--tls', '--insecure'] : []), remoteUrl, local]];
  }
}

/**
 * Measurements 5 and 7: clients downloading the big file from vsftpd into a tmpfs file, uploading
 * it to vsftpd from the tmpfs, or downloading it over explicit TLS from vsftpd with TLS;
 * whole-process wall time → MB/s; each file is checked for size and removed.
 */
export async function measureClients(ctx: BenchContext, task: ClientTask = 'download', tlsServer?: BenchServer): Promise<Table> {
  const size = ctx.opts.size;
  const what = task === 'upload' ? `uploading ${formatSize(size)} to vsftpd` : `downloading ${formatSize(size)} from vsftpd${task === 'download-tls' ? ' over explicit TLS' : ''}`;
  const table: Table = {
    id: CLIENT_TABLE[task],
    title: `Clients ${what} (MB/s, higher is better)`,
    metrics: [{ key: 'mbps', label: 'MB/s', higherIsBetter: true, ratio: true }],
    rows: [],
    notes: [task === 'upload'
      ? 'Each client reads the file from the tmpfs and is timed from spawn to exit; the upload is checked for size on vsftpd\'s disk.'
      : 'Each client writes the file to the tmpfs and is timed from spawn to exit.'],
  };
  if (task === 'download-tls') table.notes.push('vsftpd with ssl_enable=YES and require_ssl_reuse=YES (its data connections must resume the control session); the clients do not check its self-signed certificate.');
  const server = task === 'download-tls' ? tlsServer : ctx.vsftpd;
  if (!server?.diskRoot) { table.notes.push(`vsftpd${task === 'download-tls' ? ' with TLS' : ''} is not running: no client measurement.`); return table; }
  const diskRoot = server.diskRoot;
  const login = loginFor(ctx, server);
  const subjects: Subject[] = [];
  for (const c of clientRows({ curl: ctx.clients.has('curl'), lftp: ctx.clients.has('lftp') }, task)) {
    if (!c.available) { table.notes.push(`${c.name}: not available (not built or not installed), no row.`); continue; }
    subjects.push({
      name: c.name,
      ftpkit: c.ftpkit,
      run: async () => {
        const up = task === 'upload';
        const local = up ? ctx.data.storSource : join(ctx.data.downloads, `client-${slug(c.name)}.bin`);
        const remote = up ? `${ctx.data.uploadDir}/client-${slug(c.name)}.bin` : ctx.data.big;
        const written = up ? join(diskRoot, remote) : local;
        const [cmd, args] = command(c.name, task, login, remote, local);
        try {
          const r = await runTimed(cmd, args, { timeoutMs: ctx.opts.stepTimeoutMs });
          if (!r.ok) throw new Error(`${c.name} exit ${r.code}: ${r.stderr.trim()}`);
          const got = (await stat(written)).size;
          if (got !== size) throw new Error(`${c.name} ${up ? 'uploaded' : 'wrote'} ${got} bytes, expected ${size}`);
          return { mbps: mbps(size, r.ms) };
        } finally {
          await rm(written, { force: true });
        }
      },
    });
  }
  await roundRobin(table, subjects, ctx);
  return table;
}
