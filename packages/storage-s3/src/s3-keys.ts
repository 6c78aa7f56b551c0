import { StorageError } from '@ftpkit/storage';

/**
 * How virtual FTP paths map to S3 keys under an optional prefix.
 *
 * A file `/a/b.txt` is the key `<prefix>a/b.txt`; a directory `/a` is every key starting with
 * `<prefix>a/`, and may have a zero-byte marker object at exactly `<prefix>a/`. The root `/` is the
 * prefix itself (possibly the empty string: the whole bucket).
 */
export interface KeyMap {
  /** The normalised prefix: `''` or `'some/prefix/'`. */
  readonly prefix: string;
  /** The object key of the file at `path`. Not defined for `/`. */
  fileKey(path: string): string;
  /** The key prefix (and marker key) of the directory at `path`; `prefix` for `/`. */
  dirPrefix(path: string): string;
  /** The virtual path of a key or common prefix under the root (trailing `/` dropped). */
  pathOf(key: string): string;
}

/** Normalises a user-given prefix: no leading `/`, exactly one trailing `/`, `''` for none. */
export function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/**
 * The path relative to the root, for a path `resolvePath` normalised. Anything else is refused
 * rather than guessed at: S3 itself gives `..` no meaning, but S3-compatible servers that keep
 * objects as files (s3rver, gateways) may, and a key outside the prefix must never be formed.
 */
export function relativeKey(path: string): string {
  if (path.includes('\0')) throw new StorageError('EINVAL', 'path contains NUL');
  const rel = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (rel === '') return '';
  for (const segment of rel.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new StorageError('EINVAL', 'path is not normalised (empty, "." or ".." segment)');
    }
  }
  return rel;
}

/** Builds the path <-> key mapping for one bucket prefix. */
export function createKeyMap(prefix: string | undefined): KeyMap {
  const root = normalizePrefix(prefix);
  return {
    prefix: root,
    fileKey: (path) => {
      const rel = relativeKey(path);
      if (rel === '') throw new StorageError('EISDIR', 'the root is a directory');
      return root + rel;
    },
    dirPrefix: (path) => {
      const rel = relativeKey(path);
      return rel === '' ? root : `${root}${rel}/`;
    },
    pathOf: (key) => `/${key.slice(root.length).replace(/\/$/, '')}`,
  };
}

/** The parent directory of a normalised virtual path (`/` for `/x`). */
export function parentOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '/' : path.slice(0, index);
}

/** The last segment of a normalised virtual path (`''` for `/`). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The `CopySource` value for a key: `bucket/key` with every path segment encoded by
 * `encodeURIComponent`, which is what S3 decodes (a raw `+`, `&` or `%` in a key would otherwise be
 * read as something else).
 */
export function encodeCopySource(bucket: string, key: string): string {
  return `${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Why a listed name cannot be shown over FTP, or `undefined` when it can. Keys with `//` give an
 * empty name, `.`/`..` would be resolved away by every client, and CR, LF or NUL cannot travel in
 * a control-connection line.
 */
export function unlistableReason(name: string): string | undefined {
  if (name === '') return 'empty segment (key contains "//")';
  if (name === '.' || name === '..') return 'dot segment';
  if (name.includes('/')) return 'contains "/"';
  if (/[\0\r\n]/.test(name)) return 'contains CR, LF or NUL';
  return undefined;
}
