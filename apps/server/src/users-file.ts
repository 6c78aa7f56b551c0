import { scryptSync } from 'node:crypto';
import { resolve } from 'node:path';
import { statSync } from 'node:fs';
import { COMMAND_VERBS } from '@ftpkit/session';
import { ConfigError } from './config-error.js';
import { isPasswordHash, parsePasswordHash, SCRYPT_MAXMEM } from './password-hash.js';
import { BUCKET_NAME, isS3Url } from './s3-url.js';
import { isInside, realPathOf } from './served-paths.js';

/** One user of the program: from `--user`/`--user-file` (plain password) or a users file (scrypt hash). */
export interface UserEntry {
  name: string;
  password?: string;
  passwordHash?: string;
  /**
   * Absolute directory (local) or path inside the volume (memory) served to this user; with
   * `--storage s3`, either an `s3://bucket/prefix/` URL (kept as written) or a path taken below
   * `--s3-prefix` the way memory takes it below the volume.
   */
  root?: string;
  readOnly: boolean;
  /** Upload quota in bytes (users file `quotaBytes`). */
  quotaBytes?: number;
  /** Bytes per second over all of this user's downloads at once (users file `downloadBytesPerSecond`). */
  downloadBytesPerSecond?: number;
  /** Bytes per second over all of this user's uploads at once (users file `uploadBytesPerSecond`). */
  uploadBytesPerSecond?: number;
  /** Verbs refused to this user with 550, upper-case (users file `deny`). */
  deny?: string[];
  /** Sessions of this user logged in at once (users file `maxSessions`). */
  maxSessions?: number;
}

/** Every key a users file entry may have; anything else is refused so a typo never widens access. */
export const USER_KEYS = [
  'name',
  'password',
  'passwordHash',
  'root',
  'readOnly',
  'quotaBytes',
  'downloadBytesPerSecond',
  'uploadBytesPerSecond',
  'deny',
  'maxSessions',
] as const;

const KNOWN_VERBS = new Set(COMMAND_VERBS);

function unknownKey(key: string, known: readonly string[]): string {
  const like = known.find((k) => k.toLowerCase() === key.toLowerCase());
  return like === undefined ? `unknown key (known: ${known.join(', ')})` : `unknown key (did you mean "${like}"?)`;
}

/**
 * What is wrong with `hash` for the password verifier, or undefined when it can check passwords
 * against it. Beyond the shape, scrypt itself must accept the parameters (N a power of two, the
 * memory they need within the verifier's limit), so each parameter set is tried once.
 */
function hashProblem(hash: string, tried: Map<string, string | undefined>): string | undefined {
  const parsed = isPasswordHash(hash) ? parsePasswordHash(hash) : undefined;
  if (parsed === undefined) return 'must be an scrypt hash from `ftpkit-server hash-password` (scrypt$N$r$p$salt$key)';
  const params = `${parsed.N}$${parsed.r}$${parsed.p}$${parsed.key.length}`;
  if (!tried.has(params)) {
    try {
      scryptSync('', parsed.salt, parsed.key.length, { N: parsed.N, r: parsed.r, p: parsed.p, maxmem: SCRYPT_MAXMEM });
      tried.set(params, undefined);
    } catch (err) {
      tried.set(params, `scrypt refuses its parameters N=${parsed.N} r=${parsed.r} p=${parsed.p} (${(err as Error).message.split('\n')[0]})`);
    }
  }
  return tried.get(params);
}

function nonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * A user root below the server's root, compared as real paths (symlinks resolved) when `realPaths`
 * (local storage), else as written (memory and S3 take it as a path inside their own root).
 */
function checkUserRoot(serverRoot: string, root: string, realPaths: boolean, fail: (message: string) => never, written: string): void {
  const inside = realPaths ? isInside(realPathOf(serverRoot), realPathOf(root)) : isInside(serverRoot, root);
  if (!inside) fail(`${JSON.stringify(written)} is outside --root (${serverRoot})`);
  // A missing root is made at first login; a file in its place would fail every login instead.
  if (realPaths && statSync(root, { throwIfNoEntry: false })?.isDirectory() === false) fail(`${root} is not a directory`);
}

/**
 * Checks the parsed content of a users file (a list, or a mapping with only `users`) and returns
 * its users. Every mistake, an unknown key included, is a {@link ConfigError} naming the entry,
 * the key and the user: `--users (users[0]).readonly: user "alice": unknown key (did you mean "readOnly"?)`.
 */
export function parseUsersFile(data: unknown, path: string, source: string, serverRoot: string, realPaths = false): UserEntry[] {
  let list: unknown = data;
  if (!Array.isArray(data)) {
    if (typeof data !== 'object' || data === null) throw new ConfigError(source, `${path} must hold a list "users"`);
    for (const key of Object.keys(data)) {
      if (key !== 'users') throw new ConfigError(source, `${path}: "${key}" is not a users file key (known: users)`);
    }
    list = (data as { users?: unknown }).users;
  }
  if (!Array.isArray(list)) throw new ConfigError(source, `${path} must hold a list "users"`);
  if (list.length === 0) throw new ConfigError(source, `${path} lists no users`);
  const tried = new Map<string, string | undefined>();
  return list.map((item: unknown, i) => {
    const where = `${source} (users[${i}])`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ConfigError(where, 'must be a mapping');
    const u = item as Record<string, unknown>;
    if (typeof u.name !== 'string' || u.name === '' || /[\s:]/.test(u.name)) throw new ConfigError(`${where}.name`, 'must be a name without spaces or colons');
    const name = u.name;
    const fail = (key: string, message: string): never => {
      throw new ConfigError(`${where}.${key}`, `user "${name}": ${message}`);
    };
    for (const key of Object.keys(u)) {
      if (!(USER_KEYS as readonly string[]).includes(key)) fail(key, unknownKey(key, USER_KEYS));
    }
    if (u.password !== undefined && u.passwordHash !== undefined) fail('passwordHash', 'give password or passwordHash, not both');
    const hashKey = u.passwordHash !== undefined ? 'passwordHash' : 'password';
    const hash = u[hashKey];
    if (typeof hash !== 'string') fail(hashKey, 'must be an scrypt hash from `ftpkit-server hash-password`');
    const problem = hashProblem(hash as string, tried);
    if (problem !== undefined) fail(hashKey, problem);
    const entry: UserEntry = { name, passwordHash: hash as string, readOnly: false };
    if (u.readOnly !== undefined) {
      if (typeof u.readOnly !== 'boolean') fail('readOnly', `must be true or false (got ${JSON.stringify(u.readOnly)})`);
      entry.readOnly = u.readOnly as boolean;
    }
    for (const key of ['quotaBytes', 'downloadBytesPerSecond', 'uploadBytesPerSecond'] as const) {
      const value = u[key];
      if (value === undefined) continue;
      if (!nonNegativeInteger(value)) fail(key, `must be a whole number of bytes, 0 or more (got ${JSON.stringify(value)})`);
      entry[key] = value as number;
    }
    if (u.maxSessions !== undefined) {
      if (!nonNegativeInteger(u.maxSessions) || u.maxSessions === 0) {
        fail('maxSessions', `must be a whole number, 1 or more; leave it out for no limit (got ${JSON.stringify(u.maxSessions)})`);
      }
      entry.maxSessions = u.maxSessions as number;
    }
    if (u.deny !== undefined) {
      if (!Array.isArray(u.deny) || !u.deny.every((v): v is string => typeof v === 'string')) fail('deny', 'must be a list of FTP commands, e.g. [DELE, RMD]');
      const verbs = (u.deny as string[]).map((v) => v.trim().toUpperCase());
      const unknown = verbs.find((v) => !KNOWN_VERBS.has(v));
      if (unknown !== undefined) fail('deny', `${JSON.stringify(unknown)} is not a command this server knows`);
      entry.deny = verbs;
    }
    if (u.root !== undefined) {
      if (typeof u.root !== 'string' || u.root.trim() === '') fail('root', 'must be a directory');
      const root = (u.root as string).trim();
      // An s3:// root names a bucket and prefix, not a path: keep it for the S3 storage to parse.
      if (isS3Url(root)) {
        const bucket = /^s3:\/\/([^/?#]+)(?:\/[^?#]*)?$/i.exec(root)?.[1];
        if (bucket === undefined || !BUCKET_NAME.test(bucket)) fail('root', `must be s3://BUCKET/PREFIX/ (got ${JSON.stringify(u.root)})`);
        entry.root = root;
      } else {
        entry.root = resolve(serverRoot, u.root as string);
        checkUserRoot(serverRoot, entry.root, realPaths, (m) => fail('root', m), u.root as string);
      }
    }
    return entry;
  });
}
