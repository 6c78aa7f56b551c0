import { existsSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { exec, haveVsftpd, havePureFtpd, havePyftpdlib, PYTHON } from '@ftpkit/test-servers';
import { BENCH_PASSWORD, BENCH_USER, ensureBenchUser } from './bench-user.js';
import type { BenchContext } from './bench-context.js';
import { ftplibUpload } from './clients.js';
import { createDataSet, removeDataSet } from './data-set.js';
import { measureBurst } from './measure-burst.js';
import { measureClients } from './measure-client.js';
import { measureIdle } from './measure-idle.js';
import { measureRaw } from './measure-raw.js';
import { measureSmallFiles } from './measure-small.js';
import { measureSustained } from './measure-sustained.js';
import { measureTransfer } from './measure-transfer.js';
import { commandLine, type BenchOptions } from './options.js';
import { killTracked, runTimed } from './process-utils.js';
import { checkTargets, formatSize, renderTable, renderTargets, type TargetCheck } from './report.js';
import { median } from './stats.js';
import type { Table } from './results.js';
import type { BenchServer, ServerContext } from './servers/bench-server.js';
import { startFtpSrv } from './servers/ftp-srv.js';
import { FTPKIT_SERVER, haveFtpkitServer, startFtpkit } from './servers/ftpkit.js';
import { startNodeFloor } from './servers/node-floor.js';
import { startPureFtpd } from './servers/pure-ftpd.js';
import { startPyftpdlib } from './servers/pyftpdlib.js';
import { startVsftpd } from './servers/vsftpd.js';

/** What a run produced. */
export interface BenchResult {
  readonly tables: Table[];
  readonly targets: TargetCheck[];
  /** Servers or clients left out, and why. */
  readonly notes: string[];
  readonly markdown: string;
  readonly summary: string;
}

const SETUP = 'run `pnpm test:setup` to install it';

/** Whether a program is on PATH (or at an absolute path). */
async function haveProgram(name: string): Promise<boolean> {
  if (name.startsWith('/')) return existsSync(name);
  try { await exec('sh', ['-c', `command -v ${name}`]); return true; } catch { return false; }
}

/**
 * The programs a run needs. Missing ones fail the run under CI (where `pnpm test:setup` has
 * installed everything) and only drop their rows locally.
 */
async function detectPrograms(notes: string[]): Promise<Set<string>> {
  const have = new Set<string>();
  const need = async (name: string, ok: boolean | Promise<boolean>): Promise<void> => {
    if (await ok) { have.add(name); return; }
    if (process.env.CI) throw new Error(`${name} is missing; ${SETUP}`);
    notes.push(`${name} is missing (${SETUP}): its rows are left out.`);
  };
  await need('curl', haveProgram('curl'));
  await need('lftp', haveProgram('lftp'));
  await need('ftplib', haveProgram(PYTHON));
  await need('openssl', haveProgram('openssl'));
  if (!(await haveProgram('prlimit'))) throw new Error('prlimit (util-linux) is missing: it raises the fd limit for 2,000 sessions');
  await need('vsftpd', haveVsftpd());
  await need('pure-ftpd', havePureFtpd());
  await need('pyftpdlib', havePyftpdlib());
  return have;
}

async function firstLine(cmd: string, args: string[]): Promise<string> {
  try { return (await exec(cmd, args)).stdout.split('\n')[0]?.trim() ?? ''; } catch { return 'unknown'; }
}

/** Runs the selected measurements against every server that can run here. */
export async function runBench(
  opts: BenchOptions,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  onProgress?: (partialMarkdown: string) => Promise<void>,
): Promise<BenchResult> {
  const started = new Date();
  const notes: string[] = [];
  const have = await detectPrograms(notes);
  if (!opts.lftp) have.delete('lftp');
  const { uid, gid } = await ensureBenchUser();
  log(`creating data set (${formatSize(opts.size)} + ${opts.files} x ${formatSize(opts.fileSize)})`);
  const data = await createDataSet({ size: opts.size, files: opts.files, fileSize: opts.fileSize, burstFileSize: opts.burstFileSize, uid, gid });
  const onSignal = (): void => { killTracked(); void removeDataSet(data).finally(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const servers: BenchServer[] = [];
  let vsftpd: BenchServer | undefined;
  const tables: Table[] = [];
  try {
    const ctxServer: ServerContext = {
      user: BENCH_USER, password: BENCH_PASSWORD, root: data.root, workDir: data.base, uid, gid,
      // Every transfer takes a fresh passive port; enough of them that TIME_WAIT never runs a range dry.
      pasvPorts: Math.min(2000, Math.max(100, opts.files + 50, 4 * opts.burst)),
    };
    const wanted = (name: string): boolean => opts.servers.size === 0 || opts.servers.has(name);
    const start = async (name: string, fn: () => Promise<BenchServer>): Promise<BenchServer | undefined> => {
      try {
        const s = await fn();
        log(`started ${name} on port ${s.port} (pid ${s.pid})`);
        return s;
      } catch (err) {
        if (process.env.CI && !name.startsWith('ftpkit')) throw err;
        notes.push(`${name} did not start: ${(err as Error).message.split('\n')[0]}`);
        log(`${name} did not start: ${(err as Error).message}`);
        return undefined;
      }
    };
    // Started side by side (they are independent), listed in a fixed order.
    const loadMemory = async (s: BenchServer): Promise<BenchServer> => {
      const [cmd, args] = ftplibUpload({ port: s.port, user: BENCH_USER, password: BENCH_PASSWORD }, data.root);
      const r = await runTimed(cmd, args, { timeoutMs: opts.stepTimeoutMs });
      if (!r.ok) { await s.stop(); throw new Error(`loading the data set failed: ${r.stderr.trim().split('\n').pop() ?? ''}`); }
      return s;
    };
    const maxClients = Math.max(opts.idle, opts.burst);
    const plan: [string, () => Promise<BenchServer>][] = [];
    if (haveFtpkitServer()) {
      if (wanted('ftpkit-local')) plan.push(['ftpkit-local', () => startFtpkit(ctxServer, 'local')]);
      if (wanted('ftpkit-memory')) plan.push(['ftpkit-memory', async () => await loadMemory(await startFtpkit(ctxServer, 'memory'))]);
    } else {
      notes.push(`ftpkit-server is not built (${FTPKIT_SERVER} missing): no ftpkit server rows.`);
    }
    if (have.has('vsftpd') && (wanted('vsftpd') || opts.only.has('client'))) plan.push(['vsftpd', () => startVsftpd(ctxServer)]);
    if (have.has('pure-ftpd') && have.has('openssl') && wanted('pure-ftpd')) plan.push(['pure-ftpd', () => startPureFtpd(ctxServer, maxClients)]);
    if (have.has('pyftpdlib') && wanted('pyftpdlib')) plan.push(['pyftpdlib', () => startPyftpdlib(ctxServer)]);
    if (wanted('ftp-srv')) plan.push(['ftp-srv', () => startFtpSrv(ctxServer)]);
    if (wanted('node-floor')) plan.push(['node-floor', () => startNodeFloor(ctxServer)]);
    const startedServers = await Promise.allSettled(plan.map(([name, fn]) => start(name, fn)));
    let failure: unknown;
    for (const r of startedServers) {
      if (r.status === 'rejected') { failure ??= r.reason; continue; }
      const s = r.value;
      if (!s) continue;
      if (s.name === 'vsftpd') { vsftpd = s; if (!wanted('vsftpd')) continue; }
      servers.push(s);
    }
    if (failure) throw failure;
    const deadline = started.getTime() + opts.maxMinutes * 60_000;
    const starters = new Map(plan);
    // A second, fresh process of a server, so memory per idle session is measured from a clean
    // baseline; not for a server whose data lives in its process (it would need loading again).
    const fresh = async (s: BenchServer): Promise<BenchServer | undefined> => {
      const fn = s.diskRoot === undefined ? undefined : starters.get(s.name);
      return fn ? await fn() : undefined;
    };
    const ctx: BenchContext = { opts, data, servers, vsftpd, clients: have, user: BENCH_USER, password: BENCH_PASSWORD, deadline, fresh, log };
    const o = opts.only;
    // The targets are stated for curl and ftplib: those tables come first, the lftp
    // variants last, so a run cut short by its time budget still answers the targets.
    const steps: [boolean, () => Promise<Table>][] = [
      [o.has('raw'), () => measureRaw(ctx)],
      [o.has('retr') && have.has('curl'), () => measureTransfer(ctx, 'retr', 'curl')],
      [o.has('stor') && have.has('curl'), () => measureTransfer(ctx, 'stor', 'curl')],
      [o.has('small') && have.has('ftplib'), () => measureSmallFiles(ctx, 'ftplib')],
      [o.has('sustained') && have.has('ftplib'), () => measureSustained(ctx)],
      [o.has('burst'), () => measureBurst(ctx, 0)],
      [o.has('burst'), () => measureBurst(ctx, 1000)],
      [o.has('client'), () => measureClients(ctx)],
      [o.has('idle'), () => measureIdle(ctx)],
      [o.has('retr') && have.has('lftp'), () => measureTransfer(ctx, 'retr', 'lftp')],
      [o.has('stor') && have.has('lftp'), () => measureTransfer(ctx, 'stor', 'lftp')],
      [o.has('small') && have.has('lftp'), () => measureSmallFiles(ctx, 'lftp')],
    ];
    for (const [selected, step] of steps) {
      if (!selected) continue;
      if (Date.now() > deadline) {
        notes.push('The time budget (--max-minutes) ran out: the measurements without a table were skipped.');
        break;
      }
      tables.push(await step());
      if (onProgress) await onProgress(await render(tables, true));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const all = vsftpd && !servers.includes(vsftpd) ? [...servers, vsftpd] : servers;
    await Promise.all(all.map((s) => s.stop().catch(() => undefined)));
    await removeDataSet(data);
  }
  const markdown = await render(tables, false);
  const targets = checkTargets(tables, opts.burst);
  return { tables, targets, notes, markdown, summary: summarize(tables, targets) };

  async function render(done: readonly Table[], partial: boolean): Promise<string> {
    const targetChecks = checkTargets(done, opts.burst);
    const minutes = (Date.now() - started.getTime()) / 60_000;
    const header = [
      `# ftpkit benchmark — ${started.toISOString().slice(0, 10)}`,
      '',
      partial ? `**Partial: written while the run is still going (${minutes.toFixed(1)} min in).**\n` : '',
      `Run at ${started.toISOString()}, took ${minutes.toFixed(1)} min. ${opts.runs} run(s) per server and measurement, servers interleaved round-robin; figures are median (min–max).`,
      `Ratios are ftpkit's median ÷ the row's median (for MB/s and files/s above 1 means ftpkit is faster; for times and memory below 1 means ftpkit uses less).`,
      '',
      `- Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      `- Data root: ${data.tmpfs ? 'tmpfs (/dev/shm)' : 'temp folder (no /dev/shm)'}, shared by all servers; all traffic on 127.0.0.1; the peers' passive ports below 32768, ftpkit with its default settings (passive ports outside the ephemeral range, connection limits sized for the machine)`,
      `- Sizes: big file ${formatSize(opts.size)}, ${opts.files} small files of ${formatSize(opts.fileSize)}, burst ${opts.burst} clients × ${formatSize(opts.burstFileSize)}, ${opts.idle} idle sessions`,
      `- Clients: ${await firstLine('curl', ['--version'])}; ${await firstLine('lftp', ['--version'])}; ${await firstLine(PYTHON, ['--version'])} ftplib`,
      `- Servers: ftpkit-server (${servers.some((x) => x.ftpkit) ? 'this tree' : 'not run'}), ${await firstLine('sh', ['-c', 'dpkg-query -W -f "vsftpd ${Version}" vsftpd 2>/dev/null || echo vsftpd'])}, pure-ftpd (Debian, unpacked in .tools), pyftpdlib ${await firstLine(PYTHON, ['-c', 'import pyftpdlib; print(pyftpdlib.__ver__)'])}, ftp-srv 4.6.3, node-floor (bench/src/children/node-floor-server.ts: the least a Node server does per transfer); basic-ftp 6.2.6`,
      `- Command: \`${commandLine(opts)}\``,
    ].filter((l, i) => i !== 2 || l !== '');
    if (notes.length > 0) header.push('', 'Left out:', ...notes.map((n) => `- ${n}`));
    const parts = [header.join('\n'), renderTargets(targetChecks), ...done.map(renderTable)].filter(Boolean);
    return `${parts.join('\n\n')}\n`;
  }
}

/** The one-line summary: ftpkit-local's headline figures and how many targets were met. */
function summarize(tables: readonly Table[], targets: readonly TargetCheck[]): string {
  const fig = (id: string, subject: string, key: string, unit: string): string | undefined => {
    const r = tables.find((t) => t.id === id)?.rows.find((x) => x.subject === subject);
    const v = median(r?.samples[key] ?? []);
    return Number.isFinite(v) ? `${id} ${v.toFixed(0)} ${unit}` : undefined;
  };
  const parts = [
    fig('retr-curl', 'ftpkit-local', 'mbps', 'MB/s'), fig('stor-curl', 'ftpkit-local', 'mbps', 'MB/s'),
    fig('small-ftplib', 'ftpkit-local', 'fps', 'files/s'), fig('burst-0', 'ftpkit-local', 'p95', 'ms p95'),
    fig('idle', 'ftpkit-local', 'kib', 'KiB/session'), fig('client', 'ftpkit get', 'mbps', 'MB/s'),
    fig('raw', 'node raw socket', 'mbps', 'MB/s raw'),
  ].filter(Boolean);
  const met = targets.filter((t) => t.status === 'met').length;
  const judged = targets.filter((t) => t.status !== 'n/a').length;
  return `bench: ${parts.length > 0 ? parts.join(', ') : 'no ftpkit figures'}; targets met ${met}/${judged}`;
}
