import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { median } from './stats.js';
import { round, type Metric, type Table } from './results.js';

/** Bar colour of ftpkit's rows and of every other row. */
export const FTPKIT_COLOR = '#d9480f';
export const PEER_COLOR = '#adb5bd';

/**
 * Tables without a chart of their own: the one-row raw socket ceiling, and the bare loops (two
 * directions that are not alternatives; each is charted against ftpkit's rows as `vs-bare-*`).
 */
export const UNCHARTED: ReadonlySet<string> = new Set(['raw', 'bare']);

/** One bar: a row's median, and that median against the fastest row's (the fastest is 1). */
export interface ChartBar {
  readonly subject: string;
  readonly ftpkit: boolean;
  readonly value: number;
  readonly ratio: number;
}

/** The figure a table's chart shows: its first metric with ratio columns, else its first metric. */
export function chartMetric(t: Table): Metric | undefined {
  return t.metrics.find((m) => m.ratio) ?? t.metrics[0];
}

/**
 * The bars of a table's chart: rows with a positive median of the chart metric, each as a ratio
 * against the fastest (highest when higher is better, lowest otherwise), best first.
 */
export function chartBars(t: Table): ChartBar[] {
  const metric = chartMetric(t);
  if (!metric) return [];
  const rows = t.rows
    .map((r) => ({ subject: r.subject, ftpkit: r.ftpkit, value: median(r.samples[metric.key] ?? []) }))
    .filter((r) => Number.isFinite(r.value) && r.value > 0);
  if (rows.length === 0) return [];
  const values = rows.map((r) => r.value);
  const best = metric.higherIsBetter ? Math.max(...values) : Math.min(...values);
  return rows
    .map((r) => ({ ...r, ratio: metric.higherIsBetter ? r.value / best : best / r.value }))
    .sort((a, b) => b.ratio - a.ratio);
}

/** The Vega-Lite spec of a table's chart: horizontal bars, ftpkit highlighted, each labelled with ratio and median. */
export function chartSpec(t: Table): TopLevelSpec | undefined {
  const metric = chartMetric(t);
  const bars = chartBars(t);
  if (!metric || bars.length === 0) return undefined;
  const values = bars.map((b) => ({ ...b, label: `${b.ratio.toFixed(2)}x  (${round(b.value)} ${metric.label})` }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: t.title,
      subtitle: `${metric.label}, median, as a ratio to the fastest (${metric.higherIsBetter ? 'higher' : 'lower'} is better; the fastest is 1.00x)`,
      anchor: 'start',
      fontSize: 13,
      subtitleFontSize: 11,
    },
    width: 420,
    height: { step: 22 },
    background: 'white',
    data: { values },
    encoding: {
      y: { field: 'subject', type: 'nominal', sort: null, title: null, axis: { labelFontSize: 12, labelLimit: 200 } },
      x: { field: 'ratio', type: 'quantitative', title: 'ratio to the fastest', scale: { domain: [0, 1.45] }, axis: { format: '.1f', tickCount: 6 } },
    },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.75 } },
        encoding: {
          color: { field: 'ftpkit', type: 'nominal', scale: { domain: [true, false], range: [FTPKIT_COLOR, PEER_COLOR] }, legend: null },
        },
      },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { text: { field: 'label' } } },
    ],
  } as TopLevelSpec;
}

/** A table's chart as SVG, rendered on Node (Vega's SVG renderer, no canvas); undefined when it has no figures. */
export async function renderChart(t: Table): Promise<string | undefined> {
  const spec = chartSpec(t);
  if (!spec) return undefined;
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Writes each table's chart (but the UNCHARTED) next to the Markdown report: `<prefix>-<table id>.svg`, and the same
 * as `latest-<table id>.svg` (what the README shows). Returns the files written.
 */
export async function writeCharts(tables: readonly Table[], dir: string, prefix: string): Promise<string[]> {
  const written: string[] = [];
  for (const t of tables) {
    if (UNCHARTED.has(t.id)) continue;
    const svg = await renderChart(t);
    if (svg === undefined) continue;
    for (const name of [`${prefix}-${t.id}.svg`, `latest-${t.id}.svg`]) {
      await writeFile(join(dir, name), svg);
      written.push(join(dir, name));
    }
  }
  return written;
}
