import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from './config-error.js';

/** A system user to run as (`--run-as`). */
export interface Account {
  name: string;
  uid: number;
  gid: number;
}

// Node has process.initgroups on POSIX; @types/node 20 does not declare it.
const posix = process as NodeJS.Process & { initgroups?: (user: string | number, extraGroup: string | number) => void };

function idOf(flag: '-u' | '-g' | '-un', user: string): string {
  // `id` asks the system's user database through NSS (/etc/passwd, LDAP, sssd, systemd users),
  // which Node cannot; it runs once, at start-up.
  return execFileSync('id', [flag, '--', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
}

/** Looks `user` (a name or a numeric id) up before anything is bound; a one-line error if it does not exist. */
export function lookupAccount(user: string, source: string): Account {
  if (typeof process.setuid !== 'function' || typeof posix.initgroups !== 'function') {
    throw new ConfigError(source, 'is not supported on this platform');
  }
  let name: string;
  let uid: number;
  let gid: number;
  try {
    name = idOf('-un', user);
    uid = Number(idOf('-u', user));
    gid = Number(idOf('-g', user));
  } catch {
    throw new ConfigError(source, `no such user ${JSON.stringify(user)}`);
  }
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new ConfigError(source, `cannot read the ids of user ${JSON.stringify(user)}`);
  if (uid === 0) throw new ConfigError(source, `user ${JSON.stringify(user)} is root (uid 0): name an unprivileged user`);
  return { name, uid, gid };
}

/**
 * Drops to `account`: its supplementary groups, then its group, then its user (in that order, as
 * only root may change groups). Throws, leaving the caller to exit, unless the process ends up
 * with exactly that user and group and cannot take root back.
 */
export function dropPrivileges(account: Account, source: string): void {
  const here = { uid: process.getuid?.(), gid: process.getgid?.() };
  if (here.uid === account.uid && here.gid === account.gid) return;
  try {
    posix.initgroups?.(account.name, account.gid);
    process.setgid?.(account.gid);
    process.setuid?.(account.uid);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(source, `cannot switch to user "${account.name}" (${code}): start the program as root to drop privileges`);
  }
  const now = [process.getuid?.(), process.geteuid?.(), process.getgid?.(), process.getegid?.()];
  if (now[0] !== account.uid || now[1] !== account.uid || now[2] !== account.gid || now[3] !== account.gid) {
    throw new ConfigError(source, `switching to user "${account.name}" left uid/euid/gid/egid ${now.join('/')}`);
  }
  let regained = false;
  try {
    process.setuid?.(0);
    regained = true;
  } catch {
    // Expected: an unprivileged user cannot become root again.
  }
  if (regained) throw new ConfigError(source, `after switching to user "${account.name}" the process could become root again`);
}

/**
 * Creates a directory the server will serve (the default root, a user's or the anonymous root) for
 * `account` before the drop (as root), so that the dropped process can use what it would otherwise
 * have created itself at first login. An existing directory is left as the admin set it.
 */
export function createRootFor(account: Account, dir: string): void {
  const first = mkdirSync(dir, { recursive: true });
  if (first === undefined) return;
  // Every directory mkdir created, from the leaf up to the first one, belongs to the account.
  for (let path = dir; ; path = dirname(path)) {
    chownSync(path, account.uid, account.gid);
    if (path === first || path === dirname(path)) return;
  }
}
