import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loginFor, type BenchContext } from './bench-context.js';
import { curlGet, curlPut, lftp } from './clients.js';
import { runTimed } from './process-utils.js';
import { mbps, roundRobin, type Subject, type Table } from './results.js';
import { formatSize } from './report.js';
import type { BenchServer } from './servers/bench-server.js';

/**
 * Measurement 1: RETR or STOR of the big file with curl or lftp, whole-process wall time → MB/s.
 * RETR writes to /dev/null; STOR reads from the tmpfs and each upload is removed after its run.
 * With `tlsServers` (measurement 8, FTPS): the same with curl over explicit TLS (`--ssl-reqd -k`,
 * AUTH TLS + PROT P) against those servers, started with TLS.
 */
export async function measureTransfer(ctx: BenchContext, verb: 'retr' | 'stor', client: 'curl' | 'lftp', tlsServers?: readonly BenchServer[]): Promise<Table> {
  const size = ctx.opts.size;
  const tls = tlsServers !== undefined;
  const table: Table = {
    id: tls ? `ftps-${verb}` : `${verb}-${client}`,
    title: `${tls ? 'FTPS (explicit TLS) ' : ''}${verb.toUpperCase()} ${formatSize(size)} with ${client}${tls ? ' --ssl-reqd' : ''} (MB/s, higher is better)`,
    metrics: [{ key: 'mbps', label: 'MB/s', higherIsBetter: true, ratio: true }],
    rows: [],
    notes: tls ? [
      'Each server started with TLS (a self-signed certificate made at the start of the run, not checked by curl); control and data connections encrypted (PROT P).',
      ...(verb === 'stor' ? ['Uploads with `--tls-max 1.2` for every server: over TLS 1.3 vsftpd 3.0.3 answers 426 to a share of curl\'s uploads.'] : []),
    ] : [],
  };
  const subjects: Subject[] = (tlsServers ?? ctx.servers).map((s) => ({
    name: s.name,
    ftpkit: s.ftpkit,
    run: async () => {
      const login = loginFor(ctx, s);
      const remoteUp = `${ctx.data.uploadDir}/${tls ? 'ftps-' : ''}${s.name}.bin`;
      const [cmd, args] = verb === 'retr'
        ? client === 'curl' ? curlGet(login, ctx.data.big, '/dev/null', tls) : lftp(login, `get ${ctx.data.big} -o /dev/null`)
        : client === 'curl' ? curlPut(login, ctx.data.storSource, remoteUp, tls) : lftp(login, `put ${ctx.data.storSource} -o ${remoteUp}`);
      const extra = verb === 'retr' && client === 'curl' ? ['-w', '%{size_download}'] : [];
      const r = await runTimed(cmd, [...extra, ...args], { timeoutMs: ctx.opts.stepTimeoutMs });
      if (!r.ok) throw new Error(`${cmd} exit ${r.code}: ${r.stderr.trim()}`);
      if (extra.length > 0 && Number(r.stdout.trim()) !== size) throw new Error(`curl got ${r.stdout.trim()} bytes, expected ${size}`);
      if (verb === 'stor' && s.diskRoot) {
        const local = join(s.diskRoot, remoteUp);
        const st = await stat(local);
        await rm(local, { force: true });
        if (st.size !== size) throw new Error(`uploaded ${st.size} bytes, expected ${size}`);
      }
      return { mbps: mbps(size, r.ms) };
    },
  }));
  await roundRobin(table, subjects, ctx);
  return table;
}
