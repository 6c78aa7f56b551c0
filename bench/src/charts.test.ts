import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chartBars, FTPKIT_COLOR, PEER_COLOR, renderChart, writeCharts } from './charts.js';
import type { Row, Table } from './results.js';

function row(subject: string, ftpkit: boolean, samples: Record<string, number[]>): Row {
  return { subject, ftpkit, samples, runs: 3, failures: 0, errors: [] };
}

const SMALL: Table = {
  id: 'small-ftplib',
  title: '1000 files of 4 KiB in one session with Python ftplib (files/s, higher is better)',
  metrics: [{ key: 'fps', label: 'files/s', higherIsBetter: true, ratio: true }],
  rows: [
    row('ftpkit-local', true, { fps: [880, 900, 920] }),
    row('pure-ftpd', false, { fps: [4000, 4400, 3900] }),
    row('ftp-srv', false, { fps: [23, 22, 24] }),
    row('vsftpd', false, { fps: [] }),
  ],
  notes: [],
};

const BURST: Table = {
  id: 'burst-0',
  title: '200 clients at once',
  metrics: [
    { key: 'ok', label: 'sessions ok', higherIsBetter: true, ratio: false },
    { key: 'p95', label: 'p95 ms', higherIsBetter: false, ratio: true },
  ],
  rows: [row('ftpkit-local', true, { ok: [200], p95: [300] }), row('pyftpdlib', false, { ok: [200], p95: [150] })],
  notes: [],
};

/** Parses with a real XML parser (Python's), returning the root tag or the parse error. */
function parseXml(svg: string): string {
  const r = spawnSync('python3', ['-c', 'import sys, xml.etree.ElementTree as E; print(E.fromstring(sys.stdin.read()).tag)'], { input: svg, encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? r.stdout.trim() : `error: ${r.stderr}`;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('charts', () => {
  it('ranks rows as ratios to the fastest, for higher-is-better and lower-is-better figures', () => {
    expect(chartBars(SMALL).map((b) => [b.subject, Number(b.ratio.toFixed(3))])).toEqual([
      ['pure-ftpd', 1],
      ['ftpkit-local', 0.225],
      ['ftp-srv', 0.006],
    ]);
    expect(chartBars(BURST).map((b) => [b.subject, b.ratio])).toEqual([['pyftpdlib', 1], ['ftpkit-local', 0.5]]);
  });

  it('renders valid SVG with one bar per row that has figures, ftpkit in its own colour', async () => {
    const svg = await renderChart(SMALL);
    expect(svg).toBeDefined();
    expect(parseXml(svg ?? '')).toBe('{http://www.w3.org/2000/svg}svg');
    const barGroup = /<g class="mark-rect role-mark layer_0_marks"[^>]*>(.*?)<\/g>/s.exec(svg ?? '')?.[1] ?? '';
    const fills = [...barGroup.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    expect(fills).toEqual([PEER_COLOR, FTPKIT_COLOR, PEER_COLOR]);
    for (const label of ['pure-ftpd', 'ftpkit-local', 'ftp-srv', '1.00x', '0.23x']) expect(svg).toContain(label);
    expect(svg).not.toContain('vsftpd');
  });

  it('writes a dated and a latest chart per table with figures, next to the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-charts-'));
    dirs.push(dir);
    const empty: Table = { ...SMALL, id: 'empty', rows: [row('x', false, { fps: [] })] };
    await writeCharts([SMALL, BURST, empty], dir, '2026-12-07');
    expect(readdirSync(dir).sort()).toEqual(['2026-12-07-burst-0.svg', '2026-12-07-small-ftplib.svg', 'latest-burst-0.svg', 'latest-small-ftplib.svg']);
    expect(parseXml(readFileSync(join(dir, 'latest-burst-0.svg'), 'utf8'))).toBe('{http://www.w3.org/2000/svg}svg');
  });
});
