import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';
import { requireOnDemand } from './require-on-demand.js';

const NAME = 'ftpkit_event_loop_delay_seconds';
const HELP = 'Event-loop delay since start (perf_hooks.monitorEventLoopDelay)';
const RESOLUTION_MS = 10;
const QUANTILES: ReadonlyArray<[number, (h: IntervalHistogram) => number]> = [
  [0.5, (h) => h.percentile(50)],
  [0.9, (h) => h.percentile(90)],
  [0.99, (h) => h.percentile(99)],
  [1, (h) => h.max],
];

/**
 * `ftpkit_event_loop_delay_seconds` as a Prometheus summary (quantiles 0.5, 0.9, 0.99 and 1, plus
 * `_sum` and `_count`) read from Node's own event-loop histogram, registered in `registry`.
 * prom-client's Summary computes quantiles of values observed one by one; this delay is sampled
 * into a histogram by Node instead, so the summary reports that histogram. Returns the stop function.
 */
export function registerEventLoopDelaySummary(registry: Registry): () => void {
  const { Summary } = requireOnDemand('prom-client') as typeof import('prom-client');
  const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  loop.enable();
  class EventLoopDelaySummary extends Summary {
    override async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
      // The summary's own name, help and type; only the values come from the histogram.
      const own = await super.get();
      // Each sample is the time between two timer turns, sampling interval included: only what
      // exceeds the interval is delay (an idle loop reports 0, not 10 ms).
      const seconds = (ns: number): number => (loop.count === 0 ? 0 : Math.max(0, ns - RESOLUTION_MS * 1e6) / 1e9);
      const values: Array<MetricValueWithName<string>> = QUANTILES.map(([quantile, read]) => ({ labels: { quantile }, value: seconds(read(loop)) }));
      values.push({ metricName: `${NAME}_sum`, labels: {}, value: seconds(loop.mean) * loop.count });
      values.push({ metricName: `${NAME}_count`, labels: {}, value: loop.count });
      return { ...own, values };
    }
  }
  new EventLoopDelaySummary({ name: NAME, help: HELP, registers: [registry] });
  return () => loop.disable();
}
