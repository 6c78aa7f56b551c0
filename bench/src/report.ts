import { max, median, min } from './stats.js';
import { round, type Row, type Table } from './results.js';

/** `1 GiB`, `64 KiB`, `4 KiB`, `1000 B`. */
export function formatSize(bytes: number): string {
  for (const [unit, n] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= n && bytes % (n / 16) === 0) return `${round(bytes / n).replace(/\.0+$/, '')} ${unit}`;
  }
  return `${bytes} B`;
}

function cell(values: readonly number[]): string {
  if (values.length === 0) return '—';
  const med = round(median(values));
  return values.length === 1 ? med : `${med} (${round(min(values))}–${round(max(values))})`;
}

/** ftpkit's median ÷ the row's median for one metric, or NaN. */
export function ratio(ftpkit: Row, row: Row, key: string): number {
  const a = median(ftpkit.samples[key] ?? []);
  const b = median(row.samples[key] ?? []);
  // Memory deltas of a few sessions can come out negative (GC, page reuse): no meaningful ratio.
  return a > 0 && b > 0 ? a / b : Number.NaN;
}

function ratioText(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(2)}x` : '—';
}

/** One measurement as a Markdown table: median (min–max) per metric and ftpkit ÷ each row. */
export function renderTable(t: Table): string {
  const ftpkitRows = t.rows.filter((r) => r.ftpkit);
  const ratioMetrics = t.metrics.filter((m) => m.ratio);
  const head = ['', 'runs ok', ...t.metrics.map((m) => `${m.label} median (min–max)`)];
  for (const m of ratioMetrics) {
    for (const f of ftpkitRows) head.push(`${f.subject} ÷ row, ${m.label}${m.higherIsBetter ? '' : ' (<1 better)'}`);
  }
  const lines = [`### ${t.title}`, '', `| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of t.rows) {
    const cells = [r.ftpkit ? `**${r.subject}**` : r.subject, `${r.runs - r.failures}/${r.runs}`, ...t.metrics.map((m) => cell(r.samples[m.key] ?? []))];
    for (const m of ratioMetrics) for (const f of ftpkitRows) cells.push(f === r ? '—' : ratioText(ratio(f, r, m.key)));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const notes = [...t.notes];
  for (const r of t.rows) for (const e of r.errors) notes.push(`${r.subject} failed: ${e}`);
  if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

/** One target of the issue and whether this run met it. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly status: 'met' | 'MISSED' | 'n/a';
}

function find(tables: readonly Table[], id: string): Table | undefined {
  return tables.find((t) => t.id === id);
}

function rowOf(t: Table | undefined, subject: string): Row | undefined {
  return t?.rows.find((r) => r.subject === subject);
}

function has(r: Row | undefined, key: string): r is Row {
  return !!r && (r.samples[key]?.length ?? 0) > 0;
}

/** Checks the issue's targets against ftpkit-local (server) and the two ftpkit clients. */
export function checkTargets(tables: readonly Table[], burstClients: number, idleLimitKib = 40): TargetCheck[] {
  const out: TargetCheck[] = [];
  const vs = (id: string, subject: string, peer: string | 'best', want: number, key: string, label: string): void => {
    const t = find(tables, id);
    const f = rowOf(t, subject);
    if (!t) return;
    let p: Row | undefined;
    if (peer === 'best') {
      const peers = t.rows.filter((r) => !r.ftpkit && has(r, key));
      p = peers.sort((a, b) => median(b.samples[key] ?? []) - median(a.samples[key] ?? []))[0];
    } else p = rowOf(t, peer);
    const target = `${label}: ${subject} ≥ ${want}x ${peer === 'best' ? `best peer${p ? ` (${p.subject})` : ''}` : peer}`;
    if (!has(f, key) || !has(p, key)) { out.push({ target, measured: 'no figure', status: 'n/a' }); return; }
    const r = ratio(f, p, key);
    out.push({ target, measured: `${r.toFixed(2)}x (${round(median(f.samples[key] ?? []))} vs ${round(median(p.samples[key] ?? []))})`, status: r >= want ? 'met' : 'MISSED' });
  };
  for (const id of ['retr-curl', 'stor-curl', 'retr-lftp', 'stor-lftp']) {
    const label = `${id.split('-')[0]?.toUpperCase()} with ${id.split('-')[1]}`;
    vs(id, 'ftpkit-local', 'vsftpd', 1.0, 'mbps', label);
    vs(id, 'ftpkit-local', 'best', 0.9, 'mbps', label);
    vs(id, 'ftpkit-local', 'ftp-srv', 2.5, 'mbps', label);
  }
  // Issue 18: the Node floor, pyftpdlib and vsftpd; pure-ftpd is the stretch.
  for (const [id, label] of [['small-ftplib', 'small files with ftplib'], ['small-lftp', 'small files with lftp mirror']] as const) {
    for (const peer of ['node-floor', 'pyftpdlib', 'vsftpd']) vs(id, 'ftpkit-local', peer, 1.0, 'fps', label);
    vs(id, 'ftpkit-local', 'pure-ftpd', 1.0, 'fps', `${label} (stretch)`);
  }
  for (const id of ['burst-0', 'burst-1000']) {
    const t = find(tables, id);
    const f = rowOf(t, 'ftpkit-local');
    if (!t) continue;
    const label = id === 'burst-0' ? 'burst at once' : 'burst over 1 s';
    if (!has(f, 'ok')) { out.push({ target: `${label}: ftpkit-local serves all`, measured: 'no figure', status: 'n/a' }); continue; }
    const worst = min(f.samples.ok ?? []);
    out.push({ target: `${label}: ftpkit-local ${burstClients}/${burstClients} in every run`, measured: `min ${worst}/${burstClients}, ${f.runs - f.failures}/${f.runs} runs ok`, status: worst === burstClients && f.failures === 0 ? 'met' : 'MISSED' });
    const fp95 = median(f.samples.p95 ?? []);
    const peers = t.rows.filter((r) => !r.ftpkit && has(r, 'p95'));
    const beaten = peers.filter((p) => fp95 < median(p.samples.p95 ?? []));
    out.push({
      target: `${label}: ftpkit-local p95 below every peer's`,
      measured: `${round(fp95)} ms vs ${peers.map((p) => `${p.subject} ${round(median(p.samples.p95 ?? []))}`).join(', ')}`,
      status: peers.length === 0 ? 'n/a' : beaten.length === peers.length ? 'met' : 'MISSED',
    });
    const srv = rowOf(t, 'ftp-srv');
    if (has(srv, 'peak') && has(f, 'peak')) {
      const a = median(f.samples.peak ?? []);
      const b = median(srv.samples.peak ?? []);
      out.push({ target: `${label}: ftpkit-local peak memory below ftp-srv's`, measured: `${round(a)} vs ${round(b)} MiB`, status: a < b ? 'met' : 'MISSED' });
    }
  }
  const sustained = rowOf(find(tables, 'sustained'), 'ftpkit-local');
  if (find(tables, 'sustained')) {
    const keep = median(sustained?.samples.keep ?? []);
    out.push({ target: 'sustained, default settings: ftpkit-local last 1000 files ≥ 0.9x first 1000', measured: has(sustained, 'keep') ? `${keep.toFixed(2)}x (${round(median(sustained.samples.last ?? []))} vs ${round(median(sustained.samples.first ?? []))} files/s)` : 'no figure', status: !has(sustained, 'keep') ? 'n/a' : keep >= 0.9 ? 'met' : 'MISSED' });
  }
  const idle = rowOf(find(tables, 'idle'), 'ftpkit-local');
  if (find(tables, 'idle')) {
    const kib = median(idle?.samples.kib ?? []);
    out.push({ target: `idle sessions: ftpkit-local < ${idleLimitKib} KiB per session`, measured: has(idle, 'kib') ? `${round(kib)} KiB` : 'no figure', status: !has(idle, 'kib') ? 'n/a' : kib < idleLimitKib ? 'met' : 'MISSED' });
  }
  for (const c of ['ftpkit get', '@ftpkit/client']) {
    vs('client', c, 'curl', 1.0, 'mbps', 'client download');
    vs('client', c, 'basic-ftp', 1.3, 'mbps', 'client download');
  }
  return out;
}

export function renderTargets(checks: readonly TargetCheck[]): string {
  if (checks.length === 0) return '';
  const lines = ['## Targets (issues 8 and 18), medians of this run', '', '| target | measured | status |', '| --- | --- | --- |'];
  for (const c of checks) lines.push(`| ${c.target} | ${c.measured} | ${c.status === 'MISSED' ? '**MISSED**' : c.status} |`);
  return lines.join('\n');
}
