import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters written into every hash (N = 2^15, r = 8, p = 1: about 32 MiB, tens of ms). */
const N = 32768;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

/** Memory scrypt may use: enough for the parameters above and for raised ones. */
export const SCRYPT_MAXMEM = 256 * 1024 * 1024;

/** The parts of a {@link hashPassword} result. */
export interface ParsedPasswordHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function derive(password: string, salt: Buffer, options: ScryptOptions, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { ...options, maxmem: SCRYPT_MAXMEM }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Hash a password for a users file: `scrypt$N$r$p$<salt base64>$<key base64>`.
 * The parameters travel with the hash so they can be raised later without breaking old entries.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P }, KEY_LENGTH);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** The parameters, salt and key of `hash`, or undefined when it is not a {@link hashPassword} result. */
export function parsePasswordHash(hash: string): ParsedPasswordHash | undefined {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const key = Buffer.from(parts[5] ?? '', 'base64');
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || key.length === 0 || salt.length === 0) return undefined;
  return { N: n, r, p, salt, key };
}

/**
 * A hash that no password matches, with the cost parameters and key length of `like` (default:
 * those of {@link hashPassword}). Checking a password against it costs what checking a real one
 * does, so a login for an unknown name takes as long as one for an existing account.
 */
export function dummyPasswordHash(like?: string): string {
  const parsed = like === undefined ? undefined : parsePasswordHash(like);
  const params = parsed === undefined ? `${N}$${R}$${P}` : `${parsed.N}$${parsed.r}$${parsed.p}`;
  const keyLength = parsed?.key.length ?? KEY_LENGTH;
  return `scrypt$${params}$${randomBytes(16).toString('base64')}$${randomBytes(keyLength).toString('base64')}`;
}

/**
 * True when `hash` (from {@link hashPassword}) matches; compared in constant time. False for a malformed hash.
 * Runs on libuv's thread pool, which file I/O shares: a server checking logins from the network
 * should use {@link createPasswordVerifier} instead.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parsePasswordHash(hash);
  if (parsed === undefined) return false;
  try {
    const key = await derive(password, parsed.salt, { N: parsed.N, r: parsed.r, p: parsed.p }, parsed.key.length);
    return timingSafeEqual(key, parsed.key);
  } catch {
    return false;
  }
}

/** True for a string shaped like a {@link hashPassword} result. */
export function isPasswordHash(value: string): boolean {
  return /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(value);
}
