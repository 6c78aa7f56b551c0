/**
 * A token bucket for bandwidth limits: `rate` bytes per second, bursts up to one second's worth.
 * Shared buckets (per user) are fair enough for FTP: each waiter takes what it needs in turn.
 */
export class TokenBucket {
  readonly rate: number;
  readonly #capacity: number;
  #tokens: number;
  #last: number;
  #queue: Promise<void> = Promise.resolve();

  /** @param rate bytes per second (> 0) */
  constructor(rate: number) {
    this.rate = rate;
    this.#capacity = Math.max(rate, 16 * 1024);
    this.#tokens = this.#capacity;
    this.#last = Date.now();
  }

  #refill(): void {
    const t = Date.now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((t - this.#last) * this.rate) / 1000);
    this.#last = t;
  }

  /** Largest piece worth asking for at once. */
  get chunkLimit(): number {
    return this.#capacity;
  }

  /** Wait until `n` bytes (at most `chunkLimit`) may pass. Rejects when `signal` aborts. */
  take(n: number, signal?: AbortSignal): Promise<void> {
    const run = this.#queue.then(() => this.#wait(n, signal));
    // Keep the queue going even when one waiter was aborted.
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #wait(n: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.#refill();
      if (this.#tokens >= n) {
        this.#tokens -= n;
        return;
      }
      const ms = Math.max(1, Math.ceil(((n - this.#tokens) * 1000) / this.rate));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(done, ms);
        function done(): void {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }
        function onAbort(): void {
          clearTimeout(timer);
          reject(signal?.reason);
        }
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }
}

/** Pass chunks through every bucket, split so no piece exceeds a bucket's burst. */
export function throttle(buckets: readonly TokenBucket[], signal?: AbortSignal) {
  return async function* limited(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    const limit = Math.min(...buckets.map((b) => b.chunkLimit));
    for await (const chunk of source) {
      for (let o = 0; o < chunk.length; o += limit) {
        const piece = chunk.subarray(o, Math.min(chunk.length, o + limit));
        for (const b of buckets) await b.take(piece.length, signal);
        yield piece;
      }
    }
  };
}
