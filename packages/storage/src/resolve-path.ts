import { StorageError } from './storage-error.js';

/**
 * Turns a client-supplied path into an absolute, normalised virtual path that can never climb
 * above `/`.
 *
 * - relative input is taken against `cwd` (which is normalised by the same rules);
 * - `\` is a separator, like `/` (a Windows client's `..\..\x` must not slip through);
 * - empty segments (`//`), `.` and trailing slashes vanish; `..` drops one segment and stops at `/`;
 * - a NUL byte anywhere is refused with `EINVAL` (it would cut the path short in C APIs);
 * - percent signs are data, never decoded (`%2e%2e` is a file name, not `..`).
 *
 * The result has no trailing slash except for the root itself: `/`, `/a`, `/a/b`.
 *
 * @throws StorageError `EINVAL` for a NUL byte in `cwd` or `input`.
 * @see RFC 959 §3.2 (pathnames are server-defined strings)
 */
export function resolvePath(cwd: string, input: string): string {
  if (cwd.includes('\0') || input.includes('\0')) {
    throw new StorageError('EINVAL', 'path contains a NUL byte');
  }
  const segments: string[] = [];
  const absolute = input.startsWith('/') || input.startsWith('\\');
  if (!absolute) pushSegments(segments, cwd);
  pushSegments(segments, input);
  return `/${segments.join('/')}`;
}

function pushSegments(into: string[], path: string): void {
  for (const segment of path.split(/[/\\]/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') into.pop();
    else into.push(segment);
  }
}

/** Joins virtual path parts and normalises the result like `resolvePath('/', ...)`. */
export function joinPath(base: string, ...parts: string[]): string {
  return resolvePath('/', [base, ...parts].join('/'));
}

/** Last segment of a virtual path; `''` for `/`. */
export function basename(path: string): string {
  const normal = resolvePath('/', path);
  return normal.slice(normal.lastIndexOf('/') + 1);
}

/** Parent of a virtual path; `/` for `/` and for top-level entries. */
export function dirname(path: string): string {
  const normal = resolvePath('/', path);
  const at = normal.lastIndexOf('/');
  return at <= 0 ? '/' : normal.slice(0, at);
}

/** True when `path` is `ancestor` itself or lies below it (both normalised virtual paths). */
export function isPathWithin(ancestor: string, path: string): boolean {
  if (ancestor === '/') return path.startsWith('/');
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

/** The segments of a normalised virtual path: `/a/b` -> `['a', 'b']`, `/` -> `[]`. */
export function pathSegments(path: string): string[] {
  return resolvePath('/', path).split('/').filter((s) => s !== '');
}
