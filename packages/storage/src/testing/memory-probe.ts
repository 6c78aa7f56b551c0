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

/**
 * Full GCs with event-loop turns in between, so that ArrayBuffers freed by the first collection
 * (their memory is released by a sweeper after the GC) are gone before a baseline is taken.
 */
export async function settleMemory(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** `rss`: resident set of the process. `heap`: V8 heap used + external (Buffer) memory. */
export type MemoryMetric = 'rss' | 'heap';

/** Live bytes by the chosen metric: process RSS, or V8 heap plus ArrayBuffer/Buffer memory. */
export function memoryNow(metric: MemoryMetric): number {
  const usage = process.memoryUsage();
  return metric === 'rss' ? usage.rss : usage.heapUsed + usage.external;
}

/**
 * Tracks the peak of a memory metric above a baseline while something runs.
 *
 * Default (peak of everything): sampled on every `sample()` call (call it per chunk) and by a
 * 10 ms timer in between; garbage the collector has not reached yet counts too, so this is the
 * strict measure. With `liveEvery: n`, every n-th `sample()` first runs a full GC and the timer is
 * off: the figure is then what is actually held, which is what matters for an adapter whose data
 * lives in the heap.
 */
export class MemoryProbe {
  readonly baseline: number;
  private peak: number;
  private calls = 0;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly liveEvery: number | undefined;

  constructor(
    readonly metric: MemoryMetric,
    options: { liveEvery?: number } = {},
  ) {
    this.liveEvery = options.liveEvery;
    collectGarbage();
    this.baseline = memoryNow(metric);
    this.peak = this.baseline;
    this.timer = this.liveEvery === undefined ? setInterval(() => this.sample(), 10) : undefined;
  }

  sample(): void {
    if (this.liveEvery !== undefined) {
      if (++this.calls % this.liveEvery !== 0) return;
      collectGarbage();
    }
    const now = memoryNow(this.metric);
    if (now > this.peak) this.peak = now;
  }

  /** Peak growth over the baseline so far, in bytes. */
  growth(): number {
    if (this.liveEvery === undefined) this.sample();
    return this.peak - this.baseline;
  }

  /** Growth of live memory now (after a full GC), in bytes. */
  retained(): number {
    collectGarbage();
    const now = memoryNow(this.metric);
    if (now > this.peak) this.peak = now;
    return now - this.baseline;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}

/** Bytes as MiB with one decimal, for test names and reports. */
export function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
