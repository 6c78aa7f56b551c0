/**
 * Where failed logins are counted per IP address. The default lives in memory; a shared one
 * (Redis, a database) lets several server instances refuse the same attacker.
 */
export interface BanList {
  /** True while `ip` is refused (new connections get 421, logins fail). */
  isBanned(ip: string): boolean | Promise<boolean>;
  recordFailure(ip: string): void | Promise<void>;
  /** A successful login (the default forgets earlier failures). */
  recordSuccess(ip: string): void | Promise<void>;
}

/** Options of {@link createMemoryBanList}. */
export interface MemoryBanListOptions {
  /** Failed logins from one address within `banMs` that start a ban. Default 10. */
  maxFailures?: number;
  /** Length of a ban, and the window failures are counted in. Default 600 000 ms. */
  banMs?: number;
  /** Addresses tracked at most (oldest forgotten first). Default 10 000. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  since: number;
  bannedUntil: number;
}

/** An in-memory {@link BanList}: `maxFailures` failures within `banMs` ban the address for `banMs`. */
export function createMemoryBanList(options: MemoryBanListOptions = {}): BanList {
  const maxFailures = options.maxFailures ?? 10;
  const banMs = options.banMs ?? 600_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  return {
    isBanned(ip) {
      const e = entries.get(ip);
      return e !== undefined && e.bannedUntil > now();
    },
    recordFailure(ip) {
      const t = now();
      let e = entries.get(ip);
      if (e === undefined || (e.bannedUntil <= t && t - e.since > banMs)) {
        e = { failures: 0, since: t, bannedUntil: 0 };
        entries.delete(ip);
        entries.set(ip, e);
        if (entries.size > maxEntries) {
          const oldest = entries.keys().next().value;
          if (oldest !== undefined) entries.delete(oldest);
        }
      }
      e.failures++;
      if (e.failures >= maxFailures) e.bannedUntil = t + banMs;
    },
    recordSuccess(ip) {
      const e = entries.get(ip);
      if (e !== undefined && e.bannedUntil <= now()) entries.delete(ip);
    },
  };
}
