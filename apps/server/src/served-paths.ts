import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError } from './config-error.js';

/**
 * The real path of `path`: symlinks resolved in the part that exists, the rest (not created yet,
 * like a user root made at first login) appended as written. String checks on the path as given
 * are not enough: `--root` reached through a symlink and `--tls-dir` given as the real path name
 * the same directory.
 */
export function realPathOf(path: string): string {
  const rest: string[] = [];
  let existing = resolve(path);
  // Bounded by the depth of the path: each step goes one directory up.
  for (;;) {
    try {
      return join(realpathSync.native(existing), ...rest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = dirname(existing);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === existing) return resolve(path);
      rest.unshift(basename(existing));
      existing = parent;
    }
  }
}

/** True when `path` is `dir` or below it (both absolute, already normalized). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}

/**
 * Checks an explicit `--root` (local storage): it must exist and be a directory. The default
 * `./ftp-data` may be missing (it is created); naming a file is refused either way.
 */
export function checkLocalRoot(root: string, source: string | undefined): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (source === undefined && code === 'ENOENT') return;
    throw new ConfigError(source ?? '--root', code === 'ENOENT' ? `${root} does not exist (create it first)` : `cannot use ${root} (${code})`);
  }
  if (!isDirectory) throw new ConfigError(source ?? '--root', `${root} is not a directory`);
}

/** A directory clients can read: `--root`, a user's root or the anonymous root, and what set it. */
export interface ServedRoot {
  path: string;
  what: string;
}

/**
 * Refuses a TLS private key, certificate or self-signed directory inside any served directory,
 * comparing real paths: a client could otherwise download the key.
 */
export function checkNotServed(path: string, source: string, served: readonly ServedRoot[]): void {
  const real = realPathOf(path);
  for (const root of served) {
    if (isInside(realPathOf(root.path), real)) {
      throw new ConfigError(source, `must not be inside ${root.what} (${root.path}): clients could download it`);
    }
  }
}
