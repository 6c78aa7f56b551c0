import { createHash } from 'node:crypto';
import { LoginUnavailableError } from '@ftpkit/session';
import type { Authenticate, FtpUser } from './options.js';

/** A user as an authentication service describes it; `root` is for the host's storage function. */
export interface HttpAuthUser extends FtpUser {
  /** A directory (or `s3://bucket/prefix/`) the host serves to this user. */
  root?: string;
}

/** Options of {@link createHttpAuthenticator}. */
export interface HttpAuthenticatorOptions {
  /** The service: gets `POST {"user","password","remoteAddress","tls"}` as JSON. */
  url: string | URL;
  /** Longest wait for an answer; then the login is `421`. Default 5000 ms. */
  timeoutMs?: number | undefined;
  /**
   * How long an accepted login is remembered, keyed by a hash of the whole request (user,
   * password, address, TLS), so another password is always asked; each question to the service
   * about a user forgets that user's remembered logins. 0 = off. Default 0.
   */
  cacheMs?: number | undefined;
  /** Most remembered logins (the oldest go first). Default 10 000. */
  maxCacheEntries?: number | undefined;
  /** Extra request headers (e.g. an API token). */
  headers?: Readonly<Record<string, string>> | undefined;
}

function finiteNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** The service's JSON user, checked field by field; undefined when it is not one. */
export function parseHttpAuthUser(body: unknown, login: string): HttpAuthUser | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const name = b.name ?? b.user ?? login;
  if (typeof name !== 'string' || name === '') return undefined;
  const user: HttpAuthUser = { name };
  if (b.readOnly !== undefined) {
    if (typeof b.readOnly !== 'boolean') return undefined;
    user.readOnly = b.readOnly;
  }
  if (b.root !== undefined) {
    if (typeof b.root !== 'string' || b.root === '') return undefined;
    user.root = b.root;
  }
  if (b.deny !== undefined) {
    if (!Array.isArray(b.deny) || !b.deny.every((v) => typeof v === 'string')) return undefined;
    user.deny = (b.deny as string[]).map((v) => v.toUpperCase());
  }
  if (b.quotaBytes !== undefined) {
    if (!finiteNonNegative(b.quotaBytes)) return undefined;
    user.quota = { limitBytes: b.quotaBytes };
  }
  for (const key of ['uploadBytesPerSecond', 'downloadBytesPerSecond'] as const) {
    if (b[key] === undefined) continue;
    if (!finiteNonNegative(b[key])) return undefined;
    user[key] = b[key];
  }
  return user;
}

/**
 * An {@link Authenticate} that asks an HTTP service. `200` with a JSON user (`name`, `root`,
 * `readOnly`, `deny`, `quotaBytes`, `uploadBytesPerSecond`, `downloadBytesPerSecond`; all
 * optional) accepts; `401` or `403` refuses (530); anything else (a timeout, no connection, a 5xx,
 * a redirect, a 200 that is no user) throws {@link LoginUnavailableError}: the client gets 421 and
 * the server logs why (fail closed).
 */
export function createHttpAuthenticator(options: HttpAuthenticatorOptions): Authenticate {
  const url = new URL(String(options.url));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`createHttpAuthenticator: ${url.protocol} is not http: or https:`);
  const timeoutMs = options.timeoutMs ?? 5000;
  const cacheMs = options.cacheMs ?? 0;
  const maxEntries = options.maxCacheEntries ?? 10_000;
  const cache = new Map<string, { user: HttpAuthUser; name: string; expires: number }>();
  const keysOf = new Map<string, Set<string>>();

  const forget = (login: string): void => {
    for (const key of keysOf.get(login) ?? []) cache.delete(key);
    keysOf.delete(login);
  };
  const remember = (login: string, key: string, user: HttpAuthUser): void => {
    while (cache.size >= maxEntries) {
      const oldest = cache.keys().next();
      if (oldest.done === true) break;
      const entry = cache.get(oldest.value);
      cache.delete(oldest.value);
      if (entry !== undefined) keysOf.get(entry.name)?.delete(oldest.value);
    }
    cache.set(key, { user, name: login, expires: Date.now() + cacheMs });
    let keys = keysOf.get(login);
    if (keys === undefined) keysOf.set(login, (keys = new Set()));
    keys.add(key);
  };

  return async (login, password, connection) => {
    const body = JSON.stringify({ user: login, password, remoteAddress: connection.remoteAddress, tls: connection.secure });
    const key = cacheMs > 0 ? createHash('sha256').update(body).digest('base64') : '';
    if (cacheMs > 0) {
      const hit = cache.get(key);
      if (hit !== undefined && hit.expires > Date.now()) return { ...hit.user };
      forget(login);
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { ...options.headers, 'content-type': 'application/json', accept: 'application/json' },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new LoginUnavailableError(`authentication service ${url.origin}: ${cause ?? (err instanceof Error ? err.name : String(err))}`);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      return null;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new LoginUnavailableError(`authentication service ${url.origin}: HTTP ${res.status}`);
    }
    let parsed: unknown;
    try {
      parsed = await res.json();
    } catch {
      throw new LoginUnavailableError(`authentication service ${url.origin}: the 200 answer is not JSON`);
    }
    const user = parseHttpAuthUser(parsed, login);
    if (user === undefined) throw new LoginUnavailableError(`authentication service ${url.origin}: the 200 answer is not a valid user`);
    if (cacheMs > 0) remember(login, key, user);
    return { ...user };
  };
}
