/**
 * A per-session command rate limit that works by reading later, not by refusing: a session over
 * its budget has its next chunk held back until the budget refills, so TCP backpressure slows the
 * client down. A single chunk carrying more lines than the burst is not delayed (the session
 * itself closes a connection with too many queued commands).
 */
export class CommandRate {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;
  readonly #now: () => number;

  /** @param rate commands per second; the burst is five seconds' worth, so a fast client moving
   * many small files (3-5 commands each) is not slowed before it has done a few thousand. */
  constructor(rate: number, now: () => number = Date.now) {
    this.#rate = rate;
    this.#burst = Math.max(1, rate * 5);
    this.#tokens = this.#burst;
    this.#now = now;
    this.#last = now();
  }

  /** Milliseconds to wait before handing a chunk with `lines` command lines to the session. */
  delayFor(lines: number): number {
    const t = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((t - this.#last) * this.#rate) / 1000);
    this.#last = t;
    if (lines === 0) return 0;
    if (lines > this.#burst) {
      this.#tokens = 0;
      return 0;
    }
    this.#tokens -= lines;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens * 1000) / this.#rate);
  }
}

/** Number of LF bytes in a chunk (one per command line). */
export function countLines(chunk: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) n++;
  return n;
}
