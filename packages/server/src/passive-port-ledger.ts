/** Why a passive port was refused by {@link PassivePortLedger.hold}. */
export type PassiveHoldRefusal = 'user-cap' | 'address-cap';

/**
 * Counts the passive ports (listeners still waiting for their data connection) held per user and
 * per client address across all sessions, so one account or one host cannot take the whole
 * passive range and lock everyone else out (425 for all). Not I/O: counters only.
 */
export class PassivePortLedger {
  readonly #perUser: number;
  readonly #perAddress: number;
  readonly #users = new Map<string, number>();
  readonly #addresses = new Map<string, number>();

  /** Caps as port counts; 0 or Infinity = no cap. */
  constructor(perUser: number, perAddress: number) {
    this.#perUser = perUser > 0 ? perUser : Infinity;
    this.#perAddress = perAddress > 0 ? perAddress : Infinity;
  }

  /** Caps in force (Infinity = none). */
  get caps(): { perUser: number; perAddress: number } {
    return { perUser: this.#perUser, perAddress: this.#perAddress };
  }

  /**
   * Take one port for `user` (undefined before login) from `address`: a release function
   * (idempotent), or why it was refused.
   */
  hold(user: string | undefined, address: string): (() => void) | PassiveHoldRefusal {
    const userKey = user ?? '';
    if ((this.#users.get(userKey) ?? 0) >= this.#perUser) return 'user-cap';
    if ((this.#addresses.get(address) ?? 0) >= this.#perAddress) return 'address-cap';
    bump(this.#users, userKey, 1);
    bump(this.#addresses, address, 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      bump(this.#users, userKey, -1);
      bump(this.#addresses, address, -1);
    };
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}

/**
 * A cap in ports from a share of the range: `percent` of `rangeSize`, at least `floor` ports;
 * 0 = no cap.
 */
export function passivePortCap(percent: number, rangeSize: number, floor = 4): number {
  if (percent <= 0) return 0;
  return Math.max(floor, Math.floor((rangeSize * percent) / 100));
}
