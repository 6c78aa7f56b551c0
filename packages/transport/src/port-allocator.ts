import { randomInt } from 'node:crypto';

/** Random draws before falling back to a walk of the range (a nearly full range). */
const RANDOM_DRAWS = 16;

/**
 * Hands out passive ports from a range so two waiting sessions never get the same one.
 *
 * Ports are chosen at random (`crypto.randomInt`): a client on the victim's address that could
 * predict the next port could connect to it before the victim does (RFC 2577 §5 "theft"; RFC 1948
 * makes the same case for sequence numbers). A port released recently is avoided while other
 * ports are free, so a late data connection of a finished session does not land on a new
 * session's listener.
 *
 * The allocator only tracks what this process reserved; the kernel still has the last word (a
 * port taken by another program fails to bind and the caller asks for another one).
 */
export class PortAllocator {
  readonly #min: number;
  readonly #max: number;
  readonly #taken = new Set<number>();
  /** Recently released ports, oldest first (a Set keeps insertion order). */
  readonly #recent = new Set<number>();
  readonly #recentMax: number;

  /** @param range inclusive `[min, max]`, 1..65535 */
  constructor(range: readonly [number, number]) {
    const [min, max] = range;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
      throw new RangeError(`bad passive port range ${min}-${max}`);
    }
    this.#min = min;
    this.#max = max;
    this.#recentMax = Math.min(64, Math.floor(this.size / 2));
  }

  /** Number of ports in the range. */
  get size(): number {
    return this.#max - this.#min + 1;
  }

  /** Ports currently reserved. */
  get inUse(): number {
    return this.#taken.size;
  }

  /** A free port chosen at random, now reserved; `undefined` when every port of the range is reserved. */
  reserve(): number | undefined {
    const free = this.size - this.#taken.size;
    if (free <= 0) return undefined;
    // Only avoid recent ports while some port is neither taken nor recent.
    const avoid = this.#recent.size < free ? this.#recent : undefined;
    const usable = (port: number): boolean => !this.#taken.has(port) && avoid?.has(port) !== true;
    for (let i = 0; i < RANDOM_DRAWS; i++) {
      const port = this.#min + randomInt(this.size);
      if (usable(port)) return this.#take(port);
    }
    const start = randomInt(this.size);
    for (let i = 0; i < this.size; i++) {
      const port = this.#min + ((start + i) % this.size);
      if (usable(port)) return this.#take(port);
    }
    return undefined;
  }

  /** Give a port back (idempotent). */
  release(port: number): void {
    if (!this.#taken.delete(port)) return;
    this.#recent.delete(port);
    this.#recent.add(port);
    if (this.#recent.size > this.#recentMax) {
      const oldest = this.#recent.values().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
  }

  #take(port: number): number {
    this.#taken.add(port);
    this.#recent.delete(port);
    return port;
  }
}
