import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ConsoleSample } from '../console-types.js';
import { formatRate } from './format.js';

interface ChartProps {
  title: string;
  samples: ConsoleSample[];
  pick: (s: ConsoleSample) => number;
  format: (v: number) => string;
  testId: string;
  /** Whole numbers only on the value axis (counts). */
  integer?: boolean;
}

/** A small live line chart (uPlot) of one series over the samples kept (the last 5 minutes). */
function Chart({ title, samples, pick, format, testId, integer = false }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = (): uPlot.AlignedData => [samples.map((s) => s.t), samples.map(pick)];
  useEffect(() => {
    if (box.current === null) return undefined;
    plot.current = new uPlot(
      {
        width: 420,
        height: 160,
        legend: { show: false },
        scales: { x: { time: true } },
        axes: [{}, { values: (_u, vals) => vals.map((v) => format(v)), size: 80, ...(integer ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] } : {}) }],
        series: [{}, { label: title, stroke: '#2563eb', fill: 'rgba(37, 99, 235, 0.15)', width: 2, points: { show: false } }],
      },
      data(),
      box.current,
    );
    return () => plot.current?.destroy();
  }, []);
  useEffect(() => {
    plot.current?.setData(data());
  }, [samples]);
  return (
    <figure class="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div ref={box} />
    </figure>
  );
}

export function Charts({ samples }: { samples: ConsoleSample[] }) {
  return (
    <section class="charts">
      <Chart title="Throughput" testId="chart-throughput" samples={samples} pick={(s) => s.bytesPerSecond} format={formatRate} />
      <Chart title="Sessions" testId="chart-sessions" samples={samples} pick={(s) => s.sessions} format={(v) => String(v)} integer />
    </section>
  );
}
