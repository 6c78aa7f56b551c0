import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { exec, haveVsftpd, havePureFtpd, havePyftpdlib, makeCertificate, PYTHON } from '@ftpkit/test-servers';
import { BENCH_PASSWORD, BENCH_USER, ensureBenchUser } from './bench-user.js';
import type { BenchContext } from './bench-context.js';
import { estimateRoundSeconds, minutes, stepDeadline } from './budget.js';
import { ftplibUpload } from './clients.js';
import { createDataSet, removeDataSet } from './data-set.js';
import { measureBare } from './measure-bare.js';
import { measureBurst } from './measure-burst.js';
import { clientRows, measureClients } from './measure-client.js';
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
import type { BenchServer, ServerContext, TlsFiles } from './servers/bench-server.js';
import { startFtpSrv } from './servers/ftp-srv.js';
import { FTPKIT_SERVER, haveFtpkitServer, startFtpkit } from './servers/ftpkit.js';
import { startNodeFloor } from './servers/node-floor.js';
import { startPureFtpd } from './servers/pure-ftpd.js';
import { startPyftpdlib } from './servers/pyftpdlib.js';
import { startVsftpd } from './servers/vsftpd.js';

/** How long one measurement took against its estimate (the report lists them: the budget's evidence). */
export interface StepTiming {
  readonly id: string;
  /** Estimated seconds for all its runs (budget.ts). */
  readonly estimate: number;
  /** Seconds it took. */
  readonly took: number;
  /** Rounds it ran (fewer than --runs when its share of the budget ran out). */
  readonly rounds: number;
}

/** What a run produced. */
export interface BenchResult {
  readonly tables: Table[];
  readonly targets: TargetCheck[];
  /** Servers or clients left out, and why. */
  readonly notes: string[];
  /** Time per measurement, in the order they ran. */
  readonly timings: StepTiming[];
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
  /** Servers started with TLS for the FTPS measurements, on first use (each listed as soon as it runs, to be stopped). */
  let tlsServers: Promise<BenchServer[]> | undefined;
  const tlsStarted: BenchServer[] = [];
  let vsftpd: BenchServer | undefined;
  const tables: Table[] = [];
  const timings: StepTiming[] = [];
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
    if (have.has('vsftpd') && (wanted('vsftpd') || opts.only.has('client') || opts.only.has('upload'))) plan.push(['vsftpd', () => startVsftpd(ctxServer)]);
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
    // FTPS (issue 19): ftpkit-local, vsftpd and pure-ftpd started again with explicit TLS and one
    // self-signed certificate made now; vsftpd with TLS is also what the TLS clients download from.
    const startTls = async (): Promise<BenchServer[]> => {
      const dir = join(data.base, 'tls');
      await mkdir(dir, { recursive: true });
      const cert: TlsFiles = await makeCertificate(dir);
      const tlsPlan: [string, () => Promise<BenchServer>][] = [];
      if (haveFtpkitServer() && wanted('ftpkit-local')) tlsPlan.push(['ftpkit-local (TLS)', () => startFtpkit(ctxServer, 'local', cert)]);
      if (have.has('vsftpd')) tlsPlan.push(['vsftpd (TLS)', () => startVsftpd(ctxServer, cert)]);
      if (have.has('pure-ftpd') && have.has('openssl') && wanted('pure-ftpd')) tlsPlan.push(['pure-ftpd (TLS)', () => startPureFtpd(ctxServer, 50, cert)]);
      for (const [name, fn] of tlsPlan) {
        const srv = await start(name, fn);
        if (srv) tlsStarted.push(srv);
      }
      return [...tlsStarted];
    };
    const tls = (): Promise<BenchServer[]> => (tlsServers ??= startTls());
    const tlsRows = async (): Promise<BenchServer[]> => (await tls()).filter((x) => wanted(x.name));
    const tlsVsftpd = async (): Promise<BenchServer | undefined> => (await tls()).find((x) => x.name === 'vsftpd');
    const o = opts.only;
    const n = servers.length;
    const shape = { rows: n, ftpSrv: servers.some((x) => x.name === 'ftp-srv'), vsftpd: servers.some((x) => x.name === 'vsftpd') };
    const clientCount = (task: 'download' | 'upload' | 'download-tls'): number =>
      (task === 'download-tls' ? have.has('vsftpd') : vsftpd !== undefined)
        ? clientRows({ curl: have.has('curl'), lftp: have.has('lftp') }, task).filter((c) => c.available).length : 0;
    const tlsCount = [wanted('ftpkit-local') && haveFtpkitServer(), wanted('vsftpd') && have.has('vsftpd'), wanted('pure-ftpd') && have.has('pure-ftpd')].filter(Boolean).length;
    // The issue's targets are stated for curl and ftplib: those tables come first, the lftp
    // variants last. Each step: whether it runs, its table id, its rows (for the time estimate), how to run it.
    const steps: [boolean, string, number, (c: BenchContext) => Promise<Table>][] = [
      [o.has('raw'), 'raw', 1, (c) => measureRaw(c)],
      [o.has('bare'), 'bare', 2, (c) => measureBare(c)],
      [o.has('retr') && have.has('curl'), 'retr-curl', n, (c) => measureTransfer(c, 'retr', 'curl')],
      [o.has('stor') && have.has('curl'), 'stor-curl', n, (c) => measureTransfer(c, 'stor', 'curl')],
      [o.has('small') && have.has('ftplib'), 'small-ftplib', n, (c) => measureSmallFiles(c, 'ftplib')],
      [o.has('sustained') && have.has('ftplib'), 'sustained', servers.filter((x) => x.ftpkit).length, (c) => measureSustained(c)],
      [o.has('burst'), 'burst-0', n, (c) => measureBurst(c, 0)],
      [o.has('burst'), 'burst-1000', n, (c) => measureBurst(c, 1000)],
      [o.has('client'), 'client', clientCount('download'), (c) => measureClients(c, 'download')],
      [o.has('upload'), 'client-upload', clientCount('upload'), (c) => measureClients(c, 'upload')],
      [o.has('idle'), 'idle', n, (c) => measureIdle(c)],
      [o.has('ftps') && have.has('curl'), 'ftps-retr', tlsCount, async (c) => measureTransfer(c, 'retr', 'curl', await tlsRows())],
      [o.has('ftps') && have.has('curl'), 'ftps-stor', tlsCount, async (c) => measureTransfer(c, 'stor', 'curl', await tlsRows())],
      [o.has('ftps'), 'client-tls', clientCount('download-tls'), async (c) => measureClients(c, 'download-tls', await tlsVsftpd())],
      [o.has('retr') && have.has('lftp'), 'retr-lftp', n, (c) => measureTransfer(c, 'retr', 'lftp')],
      [o.has('stor') && have.has('lftp'), 'stor-lftp', n, (c) => measureTransfer(c, 'stor', 'lftp')],
      [o.has('small') && have.has('lftp'), 'small-lftp', n, (c) => measureSmallFiles(c, 'lftp')],
    ];
    const selected = steps.filter(([on]) => on);
    const estimates = selected.map(([, id, rows]) => opts.runs * estimateRoundSeconds(id, opts, { ...shape, rows }));
    log(`plan for --runs ${opts.runs} (estimate on a quiet 2-core machine): ${selected.map(([, id], i) => `${id} ${minutes(estimates[i] ?? 0)}`).join(', ')} min; total ${minutes(estimates.reduce((a, b) => a + b, 0))} min, budget ${opts.maxMinutes} min`);
    for (const [i, [, id, , step]] of selected.entries()) {
      const t0 = Date.now();
      const share = stepDeadline(t0, deadline, estimates, i);
      const ctx: BenchContext = { opts, data, servers, vsftpd, clients: have, user: BENCH_USER, password: BENCH_PASSWORD, deadline: share, fresh, log };
      const table = await step(ctx);
      const took = (Date.now() - t0) / 1000;
      timings.push({ id, estimate: estimates[i] ?? 0, took, rounds: Math.max(0, ...table.rows.map((r) => r.runs)) });
      log(`${id}: ${took.toFixed(0)} s (estimated ${(estimates[i] ?? 0).toFixed(0)} s)`);
      tables.push(table);
      if (onProgress) await onProgress(await render(tables, true));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const all = vsftpd && !servers.includes(vsftpd) ? [...servers, vsftpd] : [...servers];
    await tlsServers?.catch(() => undefined);
    all.push(...tlsStarted);
    await Promise.all(all.map((s) => s.stop().catch(() => undefined)));
    await removeDataSet(data);
  }
  const markdown = await render(tables, false);
  const targets = checkTargets(tables, opts.burst);
  return { tables, targets, notes, timings, markdown, summary: summarize(tables, targets) };

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
    const parts = [header.join('\n'), renderTargets(targetChecks), ...done.map(renderTable), renderTimings(timings, opts.runs)].filter(Boolean);
    return `${parts.join('\n\n')}\n`;
  }
}

/** The time each measurement took, against the budget's estimate. */
function renderTimings(timings: readonly StepTiming[], runs: number): string {
  if (timings.length === 0) return '';
  const lines = ['### Time per measurement', '', `| measurement | rounds | took (s) | estimated for ${runs} run(s) (s) |`, '| --- | ---: | ---: | ---: |'];
  for (const t of timings) lines.push(`| ${t.id} | ${t.rounds} | ${t.took.toFixed(0)} | ${t.estimate.toFixed(0)} |`);
  const sum = (k: 'took' | 'estimate'): string => timings.reduce((a, t) => a + t[k], 0).toFixed(0);
  lines.push(`| all | | ${sum('took')} | ${sum('estimate')} |`);
  return lines.join('\n');
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
    fig('client-upload', 'ftpkit put', 'mbps', 'MB/s'), fig('ftps-retr', 'ftpkit-local', 'mbps', 'MB/s'), fig('ftps-stor', 'ftpkit-local', 'mbps', 'MB/s'),
    fig('raw', 'node raw socket', 'mbps', 'MB/s raw'),
  ].filter(Boolean);
  const met = targets.filter((t) => t.status === 'met').length;
  const judged = targets.filter((t) => t.status !== 'n/a').length;
  return `bench: ${parts.length > 0 ? parts.join(', ') : 'no ftpkit figures'}; targets met ${met}/${judged}`;
}
