import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** One browser logged in to the console. */
export interface ConsoleLogin {
  /** The cookie value. */
  id: string;
  /** Sent back by the page in `x-csrf-token` with every action. */
  csrf: string;
  /** Who did it, for the log: the browser's address and a short id of this login. */
  who: string;
  expires: number;
}

export const COOKIE = 'ftpkit_console';
const LOGIN_MS = 12 * 3_600_000;
const MAX_LOGINS = 64;

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Equal in constant time whatever the lengths (both sides are hashed first). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** A new random token (for the console, when no token file is given). */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Cookie header → value of `name`. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The console's logins: a token opens a login (a random cookie id + CSRF token, 12 h), kept in
 * memory, at most 64 at once (the oldest goes first).
 */
export class ConsoleLogins {
  readonly #token: string;
  readonly #logins = new Map<string, ConsoleLogin>();
  readonly #now: () => number;

  constructor(token: string, now: () => number = Date.now) {
    this.#token = token;
    this.#now = now;
  }

  /** A login for the right token, undefined for a wrong one. */
  open(candidate: string, from: string): ConsoleLogin | undefined {
    if (!sameSecret(candidate, this.#token)) return undefined;
    if (this.#logins.size >= MAX_LOGINS) this.#logins.delete(this.#logins.keys().next().value as string);
    const id = randomBytes(32).toString('base64url');
    const login = { id, csrf: randomBytes(32).toString('base64url'), who: `${from} login ${id.slice(0, 6)}`, expires: this.#now() + LOGIN_MS };
    this.#logins.set(id, login);
    return login;
  }

  /** The login a request's cookie names, if it is open. */
  find(cookieHeader: string | undefined): ConsoleLogin | undefined {
    const id = cookieValue(cookieHeader, COOKIE);
    if (id === undefined) return undefined;
    const login = this.#logins.get(id);
    if (login === undefined) return undefined;
    if (login.expires <= this.#now()) {
      this.#logins.delete(id);
      return undefined;
    }
    return login;
  }

  close(id: string): void {
    this.#logins.delete(id);
  }
}
