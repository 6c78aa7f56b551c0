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

/** The rows of the bare-loop table (measure-bare.ts); the issue-19 targets name them. */
export const BARE_RECEIVE = 'socket → file';
export const BARE_SEND = 'file → socket';

/** One target of the issues and whether this run met it. */
export interface TargetCheck {
  /** The issue that states the target ('18', '19'; '8' for its big-file targets that must not regress). */
  readonly issue: string;
  /** The target as the issue words it, naming the rows compared. */
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

/** The peers of the server targets ("best peer"): the bench's own node-floor is a floor, not a peer. */
export const PEERS = ['vsftpd', 'pure-ftpd', 'pyftpdlib', 'ftp-srv'] as const;

/** A row of a table, or the best of the peers in it (`'best peer'`). */
type Ref = readonly [table: string, subject: string];

/**
 * Issue 19: server STOR and client download against socket → file, server RETR and client upload
 * against file → socket. The bare loop's clock matches the row's: the clients are timed spawn to
 * exit with one Node start ('mbps'), the servers by curl or lftp, whose own start is negligible,
 * against the transfer alone ('loop').
 */
const BARE_PAIRS: readonly (readonly [what: string, row: Ref, loop: string, loopKey: 'mbps' | 'loop'])[] = [
  ['server STOR with curl', ['stor-curl', 'ftpkit-local'], BARE_RECEIVE, 'loop'],
  ['server STOR with lftp', ['stor-lftp', 'ftpkit-local'], BARE_RECEIVE, 'loop'],
  ['client download, `ftpkit get`', ['client', 'ftpkit get'], BARE_RECEIVE, 'mbps'],
  ['client download, `@ftpkit/client`', ['client', '@ftpkit/client'], BARE_RECEIVE, 'mbps'],
  ['server RETR with curl', ['retr-curl', 'ftpkit-local'], BARE_SEND, 'loop'],
  ['server RETR with lftp', ['retr-lftp', 'ftpkit-local'], BARE_SEND, 'loop'],
  ['client upload, `ftpkit put`', ['client-upload', 'ftpkit put'], BARE_SEND, 'mbps'],
  ['client upload, `@ftpkit/client`', ['client-upload', '@ftpkit/client'], BARE_SEND, 'mbps'],
];

/**
 * Two tables for charts only (the targets table has their ratios): each bulk direction's ftpkit rows
 * next to the bare Node loop of that direction (`vs-bare-receive`, `vs-bare-send`).
 */
export function bareComparisons(tables: readonly Table[]): Table[] {
  const bare = find(tables, 'bare');
  if (!bare) return [];
  const out: Table[] = [];
  for (const [loop, id, what] of [[BARE_RECEIVE, 'vs-bare-receive', 'Receiving: server STOR and client download'], [BARE_SEND, 'vs-bare-send', 'Sending: server RETR and client upload']] as const) {
    const base = rowOf(bare, loop);
    if (!base) continue;
    const rows: Row[] = [{ ...base, subject: `bare Node loop, ${loop}` }];
    for (const [label, [tableId, subject]] of BARE_PAIRS.filter((p) => p[2] === loop)) {
      const r = rowOf(find(tables, tableId), subject);
      if (r) rows.push({ ...r, subject: label.replace(/`/g, '') });
    }
    if (rows.length > 1) out.push({ id, title: `${what} against the bare Node loop (MB/s, higher is better)`, metrics: bare.metrics.slice(0, 1), rows, notes: ['Every row timed spawn to exit of the program that moves the bytes (curl or lftp for the server rows).'] });
  }
  return out;
}

/**
 * Checks the targets of issues 18 and 19 (and issue 8's big-file targets that issue 18 says must not
 * regress), each as the issue words it, against the server ftpkit-local and the ftpkit clients.
 * A target whose rows have no figure in this run is 'n/a'.
 */
export function checkTargets(tables: readonly Table[], burstClients: number, idleLimitKib = 40): TargetCheck[] {
  const out: TargetCheck[] = [];
  const median0 = (r: Row, key: string): number => median(r.samples[key] ?? []);
  const pick = ([id, subject]: Ref, key: string): { row: Row | undefined; name: string; present: boolean } => {
    const t = find(tables, id);
    if (subject !== 'best peer') return { row: rowOf(t, subject), name: subject, present: !!t };
    const peers = (t?.rows ?? []).filter((r) => (PEERS as readonly string[]).includes(r.subject) && has(r, key));
    const best = peers.sort((a, b) => median0(b, key) - median0(a, key))[0];
    return { row: best, name: best ? `best peer (${best.subject})` : 'best peer', present: !!t };
  };
  /** `num` ≥ `want` × `den` (medians of `key`, of `denKey` for `den`); skipped when neither table ran. */
  const ratioTarget = (issue: string, target: string, num: Ref, den: Ref, want: number, key = 'mbps', denKey = key, denClock = ''): void => {
    const a = pick(num, key);
    const b = pick(den, denKey);
    if (!a.present && !b.present) return;
    const label = `${target} [${a.name} ÷ ${b.name}${denClock}]`;
    if (!has(a.row, key) || !has(b.row, denKey)) { out.push({ issue, target: label, measured: 'no figure', status: 'n/a' }); return; }
    const r = median0(a.row, key) / median0(b.row, denKey);
    out.push({ issue, target: label, measured: `${r.toFixed(2)}x (${round(median0(a.row, key))} vs ${round(median0(b.row, denKey))})`, status: r >= want ? 'met' : 'MISSED' });
  };

  // Issue 18.
  for (const [id, client] of [['small-ftplib', 'ftplib'], ['small-lftp', '`lftp mirror`']] as const) {
    for (const peer of ['node-floor', 'pyftpdlib', 'vsftpd']) {
      ratioTarget('18', `1000 × 4 KiB with ${client}: ftpkit-local ≥ 1.0x ${peer}`, [id, 'ftpkit-local'], [id, peer], 1.0, 'fps');
    }
    ratioTarget('18', `1000 × 4 KiB with ${client}: stretch: ≥ 1.0x pure-ftpd`, [id, 'ftpkit-local'], [id, 'pure-ftpd'], 1.0, 'fps');
  }
  if (find(tables, 'sustained')) {
    const r = rowOf(find(tables, 'sustained'), 'ftpkit-local');
    const keep = has(r, 'keep') ? median0(r, 'keep') : Number.NaN;
    out.push({
      issue: '18',
      target: 'Sustained, default settings: 30,000 small files back to back: the rate of the last 1000 ≥ 0.9x the rate of the first 1000 [ftpkit-local]',
      measured: has(r, 'keep') ? `${keep.toFixed(2)}x (${round(median0(r, 'last'))} vs ${round(median0(r, 'first'))} files/s)` : 'no figure',
      status: !has(r, 'keep') ? 'n/a' : keep >= 0.9 ? 'met' : 'MISSED',
    });
  }
  for (const id of ['burst-0', 'burst-1000']) {
    const t = find(tables, id);
    if (!t) continue;
    const f = rowOf(t, 'ftpkit-local');
    const label = `${burstClients} clients ${id === 'burst-0' ? 'at once' : 'spread over 1 s'}, ftpkit-server with default settings`;
    if (!has(f, 'ok')) { out.push({ issue: '18', target: `${label}: ${burstClients}/${burstClients} in every run`, measured: 'no figure', status: 'n/a' }); continue; }
    const worst = min(f.samples.ok ?? []);
    out.push({ issue: '18', target: `${label}: ${burstClients}/${burstClients} in every run`, measured: `min ${worst}/${burstClients}, ${f.runs - f.failures}/${f.runs} runs ok`, status: worst === burstClients && f.failures === 0 ? 'met' : 'MISSED' });
    const fp95 = median0(f, 'p95');
    const peers = ['ftp-srv', 'pyftpdlib'].map((p) => rowOf(t, p)).filter((p): p is Row => has(p, 'p95'));
    out.push({
      issue: '18',
      target: `${label}: p95 below ftp-srv's and pyftpdlib's`,
      measured: peers.length === 0 || !Number.isFinite(fp95) ? 'no figure' : `${round(fp95)} ms vs ${peers.map((p) => `${p.subject} ${round(median0(p, 'p95'))}`).join(', ')}`,
      status: peers.length < 2 || !Number.isFinite(fp95) ? 'n/a' : peers.every((p) => fp95 < median0(p, 'p95')) ? 'met' : 'MISSED',
    });
    const srv = rowOf(t, 'ftp-srv');
    out.push({
      issue: '18',
      target: `${label}: peak server memory below ftp-srv's`,
      measured: has(srv, 'peak') && has(f, 'peak') ? `${round(median0(f, 'peak'))} vs ${round(median0(srv, 'peak'))} MiB` : 'no figure',
      status: has(srv, 'peak') && has(f, 'peak') ? (median0(f, 'peak') < median0(srv, 'peak') ? 'met' : 'MISSED') : 'n/a',
    });
  }
  // Issue 18: "Nothing that was met regresses: big-file RETR/STOR ratios" (issue 8's targets; its
  // ≥ 1.0x vsftpd and ≥ 0.9x best peer are issue 19's below) "idle memory per session (< 40 KiB)".
  for (const id of ['retr-curl', 'stor-curl', 'retr-lftp', 'stor-lftp']) {
    const [verb, client] = id.split('-') as [string, string];
    ratioTarget('8', `No regression (issue 18): ${verb.toUpperCase()} 1 GiB with ${client}: ftpkit-local at least 2.5x ftp-srv`, [id, 'ftpkit-local'], [id, 'ftp-srv'], 2.5);
  }
  if (find(tables, 'idle')) {
    const r = rowOf(find(tables, 'idle'), 'ftpkit-local');
    const kib = has(r, 'kib') ? median0(r, 'kib') : Number.NaN;
    out.push({ issue: '18', target: `No regression: idle memory per session (< ${idleLimitKib} KiB) [ftpkit-local]`, measured: has(r, 'kib') ? `${round(kib)} KiB` : 'no figure', status: !has(r, 'kib') ? 'n/a' : kib < idleLimitKib ? 'met' : 'MISSED' });
  }

  // Issue 19.
  for (const verb of ['STOR', 'RETR']) {
    for (const client of ['curl', 'lftp']) {
      const id = `${verb.toLowerCase()}-${client}`;
      ratioTarget('19', `${verb} 1 GiB with ${client}: ftpkit-local ≥ 1.0x vsftpd`, [id, 'ftpkit-local'], [id, 'vsftpd'], 1.0);
      ratioTarget('19', `${verb} 1 GiB with ${client}: ftpkit-local ≥ 0.9x the best peer`, [id, 'ftpkit-local'], [id, 'best peer'], 0.9);
    }
  }
  for (const c of ['ftpkit get', '@ftpkit/client']) {
    const name = c === 'ftpkit get' ? '`ftpkit get`' : '`@ftpkit/client`';
    ratioTarget('19', `${name} download from vsftpd: ≥ 1.0x curl`, ['client', c], ['client', 'curl'], 1.0);
    ratioTarget('19', `${name} download from vsftpd: ≥ 1.3x basic-ftp`, ['client', c], ['client', 'basic-ftp'], 1.3);
  }
  ratioTarget('19', '`ftpkit put` upload to vsftpd ≥ 1.0x curl', ['client-upload', 'ftpkit put'], ['client-upload', 'curl'], 1.0);
  for (const [what, num, loop, loopKey] of BARE_PAIRS) {
    if (!find(tables, num[0]) || !find(tables, 'bare')) continue;
    ratioTarget('19', `Each direction ≥ 0.9x the bare Node loop measured in the same run: ${what} vs ${loop}`, num, ['bare', loop], 0.9, 'mbps', loopKey,
      loopKey === 'loop' ? ', transfer only' : ', spawn to exit');
  }
  for (const verb of ['RETR', 'STOR']) {
    const id = `ftps-${verb.toLowerCase()}`;
    ratioTarget('19', `FTPS ${verb} ≥ 1.0x vsftpd (with TLS)`, [id, 'ftpkit-local'], [id, 'vsftpd'], 1.0);
    ratioTarget('19', `FTPS ${verb} ≥ 1.0x pure-ftpd (with TLS)`, [id, 'ftpkit-local'], [id, 'pure-ftpd'], 1.0);
  }
  return out;
}

/** The targets as a Markdown table: issue, target (as the issue words it), measured, met / MISSED. */
export function renderTargets(checks: readonly TargetCheck[]): string {
  if (checks.length === 0) return '';
  const met = checks.filter((c) => c.status === 'met').length;
  const judged = checks.filter((c) => c.status !== 'n/a').length;
  const lines = [
    '## Targets (issues 18 and 19), medians of this run',
    '',
    `${met} of ${judged} met. Each target as its issue words it; in brackets the rows compared. Issue 8's big-file targets are checked as issue 18's "nothing that was met regresses".`,
    '',
    '| issue | target | measured | status |',
    '| --- | --- | --- | --- |',
  ];
  for (const c of checks) lines.push(`| ${c.issue} | ${c.target} | ${c.measured} | ${c.status === 'MISSED' ? '**MISSED**' : c.status} |`);
  return lines.join('\n');
}
