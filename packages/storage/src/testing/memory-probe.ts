import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let cachedGc: (() => void) | undefined;

/**
 * A full garbage collection, so that memory figures measure what is live rather than what the
 * collector has not reached yet. Uses `--expose-gc` when given, otherwise enables it at runtime.
 */
export function collectGarbage(): void {
  if (cachedGc === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') {
      cachedGc = exposed;
    } else {
      setFlagsFromString('--expose-gc');
      cachedGc = runInNewContext('gc') as () => void;
    }
  }
  cachedGc();
}

export type MemoryMetric = 'rss' | 'heap';

/** Live bytes by the chosen metric: process RSS, or V8 heap plus ArrayBuffer/Buffer memory. */
export function memoryNow(metric: MemoryMetric): number {
  const usage = process.memoryUsage();
  return metric === 'rss' ? usage.rss : usage.heapUsed + usage.external;
}

/**
 * Tracks the peak of a memory metric above a baseline while something runs: sampled on every
 * `sample()` call (call it per chunk) and by a 10 ms timer in between.
 */
export class MemoryProbe {
  readonly baseline: number;
  private peak: number;
  private readonly timer: NodeJS.Timeout;

  constructor(readonly metric: MemoryMetric) {
    collectGarbage();
    this.baseline = memoryNow(metric);
    this.peak = this.baseline;
    this.timer = setInterval(() => this.sample(), 10);
  }

  sample(): void {
    const now = memoryNow(this.metric);
    if (now > this.peak) this.peak = now;
  }

  /** Peak growth over the baseline so far, in bytes. */
  growth(): number {
    this.sample();
    return this.peak - this.baseline;
  }

  /** Growth of live memory now (after a full GC), in bytes. */
  retained(): number {
    collectGarbage();
    return memoryNow(this.metric) - this.baseline;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Bytes as MiB with one decimal, for test names and reports. */
export function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
