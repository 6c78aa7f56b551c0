/**
 * Hands out passive ports from a range so two waiting sessions never get the same one.
 *
 * The allocator only tracks what this process reserved; the kernel still has the last word (a
 * port taken by another program fails to bind and the caller asks for the next one). `reserve`
 * walks the range from a rotating cursor so a port just released is not reused at once, which
 * keeps a late data connection of a finished session from landing on a new session's listener.
 */
export class PortAllocator {
  readonly #min: number;
  readonly #max: number;
  readonly #taken = new Set<number>();
  #cursor: number;

  /** @param range inclusive `[min, max]`, 1024..65535 */
  constructor(range: readonly [number, number]) {
    const [min, max] = range;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
      throw new RangeError(`bad passive port range ${min}-${max}`);
    }
    this.#min = min;
    this.#max = max;
    this.#cursor = min;
  }

  /** Number of ports in the range. */
  get size(): number {
    return this.#max - this.#min + 1;
  }

  /** Ports currently reserved. */
  get inUse(): number {
    return this.#taken.size;
  }

  /** The next free port, now reserved; `undefined` when every port of the range is reserved. */
  reserve(): number | undefined {
    for (let i = 0; i < this.size; i++) {
      const port = this.#cursor;
      this.#cursor = port === this.#max ? this.#min : port + 1;
      if (!this.#taken.has(port)) {
        this.#taken.add(port);
        return port;
      }
    }
    return undefined;
  }

  /** Give a port back (idempotent). */
  release(port: number): void {
    this.#taken.delete(port);
  }
}
