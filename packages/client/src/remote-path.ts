import { FtpUnsafePathError } from './errors.js';

/** Joins remote path parts with '/', collapsing duplicate slashes (no '..' resolution: servers do that). */
export function joinRemote(...parts: string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  return joined.replace(/\/{2,}/g, '/');
}

/** The parent directory of a remote path ('/a/b' -> '/a', 'b' -> ''). */
export function remoteDirname(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const at = trimmed.lastIndexOf('/');
  if (at < 0) return '';
  return at === 0 ? '/' : trimmed.slice(0, at);
}

/** The last part of a remote path. */
export function remoteBasename(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/**
 * Why a name from a listing cannot be used as one local path segment, or undefined when it is safe.
 * A server controls these names: '..', '/etc/x', 'a/b', 'x\0y' would otherwise write anywhere.
 */
export function unsafeNameReason(name: string): string | undefined {
  if (name === '') return 'empty name';
  if (name === '.' || name === '..') return 'dot segment';
  if (name.includes('/')) return 'contains a slash';
  if (name.includes('\0')) return 'contains NUL';
  return undefined;
}

/** Throws FtpUnsafePathError unless `name` is one safe path segment. */
export function assertSafeName(name: string): string {
  const reason = unsafeNameReason(name);
  if (reason) throw new FtpUnsafePathError(name, reason);
  return name;
}
