/** Why a passive port was refused by {@link PassivePortLedger.hold}. */
export type PassiveHoldRefusal = 'user-cap' | 'address-cap';

/**
 * How long a session may wait for a data connection before its passive port counts against the
 * caps. A client that means to transfer connects within a round trip, so a burst of legitimate
 * transfer set-ups from one account or one NAT never meets the caps; a session that keeps asking
 * for ports without connecting does.
 */
export const PASSIVE_HOLD_GRACE_MS = 2_000;

interface Hold {
  user: string;
  address: string;
  since: number;
}

/**
 * Counts the passive ports (listeners still waiting for their data connection) held per user and
 * per client address across all sessions, so one account or one host cannot take the whole
 * passive range and lock everyone else out (425 for all). Only holds of sessions that have been
 * waiting longer than the grace period count. Not I/O, no clock: time is passed in.
 */
export class PassivePortLedger {
  readonly #perUser: number;
  readonly #perAddress: number;
  readonly #graceMs: number;
  readonly #holds = new Set<Hold>();

  /** Caps as port counts; 0 or Infinity = no cap. */
  constructor(perUser: number, perAddress: number, graceMs = PASSIVE_HOLD_GRACE_MS) {
    this.#perUser = perUser > 0 ? perUser : Infinity;
    this.#perAddress = perAddress > 0 ? perAddress : Infinity;
    this.#graceMs = graceMs;
  }

  /** Caps in force (Infinity = none). */
  get caps(): { perUser: number; perAddress: number } {
    return { perUser: this.#perUser, perAddress: this.#perAddress };
  }

  /** Ports held now. */
  get size(): number {
    return this.#holds.size;
  }

  /**
   * Take one port for `user` (undefined before login) from `address`, for a session waiting for a
   * data connection since `since` (ms): a release function (idempotent), or why it was refused.
   */
  hold(user: string | undefined, address: string, since: number, now: number): (() => void) | PassiveHoldRefusal {
    const entry: Hold = { user: user ?? '', address, since };
    if (this.#perUser !== Infinity || this.#perAddress !== Infinity) {
      let byUser = 0;
      let byAddress = 0;
      for (const h of this.#holds) {
        if (now - h.since < this.#graceMs) continue;
        if (h.user === entry.user) byUser++;
        if (h.address === address) byAddress++;
      }
      if (byUser >= this.#perUser) return 'user-cap';
      if (byAddress >= this.#perAddress) return 'address-cap';
    }
    this.#holds.add(entry);
    return () => {
      this.#holds.delete(entry);
    };
  }
}

/**
 * A cap in ports from a share of the range: `percent` of `rangeSize`, at least `floor` ports;
 * 0 = no cap.
 */
export function passivePortCap(percent: number, rangeSize: number, floor = 4): number {
  if (percent <= 0) return 0;
  return Math.max(floor, Math.floor((rangeSize * percent) / 100));
}
