import { createRequire } from 'node:module';

// ipaddr.js is CommonJS with `export =`; under NodeNext without esModuleInterop it is loaded with require.
const ipaddr = createRequire(import.meta.url)('ipaddr.js') as typeof import('ipaddr.js');

/**
 * Where failed logins are counted per IP address. The default lives in memory; a shared one
 * (Redis, a database) lets several server instances refuse the same attacker.
 */
export interface BanList {
  /** True while `ip` is refused (new connections get 421, logins fail). */
  isBanned(ip: string): boolean | Promise<boolean>;
  /**
   * Count a login attempt from `ip` as it starts, before its password is checked. False when the
   * address is banned or already has as many attempts failed or under way as it may have; the
   * attempt is then refused unchecked. Each `true` is followed by exactly one `recordFailure`,
   * `recordSuccess` or `cancelAttempt` for `ip`. Optional: without it the server asks `isBanned`, so concurrent
   * attempts are only counted as they finish and more than the limit can be checked at once.
   */
  beginAttempt?(ip: string): boolean | Promise<boolean>;
  recordFailure(ip: string): void | Promise<void>;
  /**
   * An attempt that ended undecided (`authenticate` threw LoginUnavailableError: its user store
   * did not answer): neither a failure nor a success. Optional: without it such an attempt is
   * recorded as a success, so an outage never bans the addresses that keep retrying.
   */
  cancelAttempt?(ip: string): void | Promise<void>;
  /** A successful login (the default forgets earlier failures). */
  recordSuccess(ip: string): void | Promise<void>;
  /** The bans in force now, for an operator's view. Optional. */
  list?(): BanEntry[] | Promise<BanEntry[]>;
  /**
   * Lift the ban on `address` (an address, or the network key {@link BanEntry.address} names) and
   * forget its failures. True when there was a ban to lift. Optional.
   */
  unban?(address: string): boolean | Promise<boolean>;
}

/** One ban in force. */
export interface BanEntry {
  /** The banned IPv4 address, or IPv6 network as `prefix/length`. */
  address: string;
  /** When the ban ends (ms since the epoch). */
  until: number;
}

/** Options of {@link createMemoryBanList}. */
export interface MemoryBanListOptions {
  /** Failed logins from one address within `banMs` that start a ban. Default 10. */
  maxFailures?: number | undefined;
  /** Length of a ban, and the window failures are counted in. Default 600 000 ms. */
  banMs?: number | undefined;
  /**
   * Addresses with failures but no ban that are tracked at most; beyond it the one tracked longest
   * is forgotten. Active bans are never forgotten to make room: each costs the attacker
   * `maxFailures` guesses from another address (or IPv6 network) and ends after `banMs`. Default 10 000.
   */
  maxEntries?: number | undefined;
  /** IPv6 addresses are counted and banned per network of this prefix length (one host usually holds a whole /64). Default 64. */
  ipv6PrefixLength?: number;
  now?: (() => number) | undefined;
}

interface Tracked {
  failures: number;
  /** Attempts begun and not yet recorded. */
  pending: number;
  since: number;
}

/** The address (IPv4, also when IPv4-mapped) or IPv6 network that failures are counted for. */
function keyOf(ip: string, ipv6PrefixLength: number): string {
  const text = ip.replace(/%.*$/, '');
  if (!ipaddr.isValid(text)) return ip;
  const addr = ipaddr.process(text);
  if (addr.kind() === 'ipv4') return addr.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${ipv6PrefixLength}`).toString()}/${ipv6PrefixLength}`;
}

/**
 * An in-memory {@link BanList}: `maxFailures` failures within `banMs` ban the address (an IPv6
 * address: its /64) for `banMs`. Attempts are counted when they begin, so at most `maxFailures`
 * passwords from one address are ever checked, however many arrive at once.
 */
export function createMemoryBanList(options: MemoryBanListOptions = {}): BanList {
  const maxFailures = options.maxFailures ?? 10;
  const banMs = options.banMs ?? 600_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const prefix = options.ipv6PrefixLength ?? 64;
  const now = options.now ?? Date.now;
  // Insertion order is age: the oldest tracked entry is evicted first, and bans (all banMs long) expire in order.
  const tracked = new Map<string, Tracked>();
  const bans = new Map<string, number>();

  const banned = (key: string, t: number): boolean => {
    const until = bans.get(key);
    if (until === undefined) return false;
    if (until > t) return true;
    bans.delete(key);
    return false;
  };
  const sweepBans = (t: number): void => {
    for (const [key, until] of bans) {
      if (until > t) break;
      bans.delete(key);
    }
  };
  const entry = (key: string, t: number): Tracked => {
    let e = tracked.get(key);
    if (e !== undefined && t - e.since > banMs) {
      tracked.delete(key);
      e = { failures: 0, pending: e.pending, since: t };
      tracked.set(key, e);
    }
    if (e === undefined) {
      e = { failures: 0, pending: 0, since: t };
      tracked.set(key, e);
      if (tracked.size > maxEntries) {
        // Entries with attempts under way stay (they are bounded by open connections).
        for (const [k, old] of tracked) {
          if (old.pending === 0 && k !== key) {
            tracked.delete(k);
            break;
          }
        }
      }
    }
    return e;
  };

  return {
    isBanned(ip) {
      return banned(keyOf(ip, prefix), now());
    },
    list() {
      const t = now();
      sweepBans(t);
      return [...bans].map(([address, until]) => ({ address, until }));
    },
    unban(address) {
      // A network key (`2001:db8::/64`) is taken as it is; an address is mapped to its key.
      const key = bans.has(address) ? address : keyOf(address, prefix);
      tracked.delete(key);
      return bans.delete(key);
    },
    beginAttempt(ip) {
      const t = now();
      const key = keyOf(ip, prefix);
      if (banned(key, t)) return false;
      const e = entry(key, t);
      if (e.failures + e.pending >= maxFailures) return false;
      e.pending++;
      return true;
    },
    recordFailure(ip) {
      const t = now();
      const key = keyOf(ip, prefix);
      if (banned(key, t)) return;
      const e = entry(key, t);
      if (e.pending > 0) e.pending--;
      e.failures++;
      if (e.failures >= maxFailures) {
        tracked.delete(key);
        sweepBans(t);
        bans.set(key, t + banMs);
      }
    },
    cancelAttempt(ip) {
      const e = tracked.get(keyOf(ip, prefix));
      if (e !== undefined && e.pending > 0) e.pending--;
    },
    recordSuccess(ip) {
      const t = now();
      const key = keyOf(ip, prefix);
      if (banned(key, t)) return;
      const e = tracked.get(key);
      if (e === undefined) return;
      if (e.pending > 0) e.pending--;
      e.failures = 0;
      if (e.pending === 0) tracked.delete(key);
    },
  };
}
