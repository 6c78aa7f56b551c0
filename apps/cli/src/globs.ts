import { FtpError } from '@ftpkit/client';
import picomatch from 'picomatch';

/*
 * Theory of operation. A path is a pattern only when it holds an unescaped `*`, `?` or a `[...]`
 * class; everything else (braces, parentheses, `!`, `+`, `@`) is always literal, so common names
 * such as "report (1).txt" never turn into patterns. A backslash makes the next `*`, `?`, `[`, `]`
 * or `\` literal (`a\*b` is the file "a*b"); in a URL, where a backslash is a slash, the
 * percent-encoded forms `%2A`, `%3F`, `%5B` are the literal ones. Remote patterns match names in
 * one listing (the last path segment only); local patterns go to tinyglobby.
 */

/** Exit status when a pattern matches nothing (curl's 78, "remote file not found"). */
export const EXIT_NO_MATCH = 78;

/** A pattern matched no file. */
export class NoMatchError extends Error {
  override readonly name = 'NoMatchError';
  readonly code = 'NO_MATCH';
  constructor(readonly pattern: string, where: string) {
    super(`no file matches ${JSON.stringify(pattern)} in ${where}`);
  }
}

const ESCAPABLE = new Set(['*', '?', '[', ']', '\\']);
// Characters picomatch would read as syntax that this project's rule keeps literal.
const PICOMATCH_SPECIAL = new Set(['(', ')', '{', '}', '!', '+', '@', '|', '^', '$', ']']);

/** Where the `[...]` class that opens at `at` closes, or -1 when it does not close. */
function classEnd(text: string, at: number): number {
  let i = at + 1;
  if (text[i] === '!' || text[i] === '^') i++;
  if (text[i] === ']') i++;
  for (; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === ']') return i;
  }
  return -1;
}

/** True when `text` holds an unescaped `*`, `?` or a closed `[...]` class. */
export function hasGlob(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && ESCAPABLE.has(text[i + 1] ?? '')) i++;
    else if (ch === '*' || ch === '?') return true;
    else if (ch === '[' && classEnd(text, i) > 0) return true;
  }
  return false;
}

/** The literal name a non-pattern path stands for: `\*` becomes `*` (other backslashes stay). */
export function unescapeGlob(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (ch === '\\' && next !== undefined && ESCAPABLE.has(next)) {
      out += next;
      i++;
    } else out += ch;
  }
  return out;
}

/** Escapes `*`, `?`, `[`, `]` and `\` so `text` matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** The same pattern in picomatch syntax, with everything but `*`, `?` and `[...]` made literal. */
export function toPicomatch(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    const next = pattern[i + 1];
    if (ch === '\\' && next !== undefined && ESCAPABLE.has(next)) {
      out += `\\${next}`;
      i++;
    } else if (ch === '\\') {
      out += '\\\\';
    } else if (ch === '[') {
      const end = classEnd(pattern, i);
      if (end < 0) out += '\\[';
      else {
        out += pattern.slice(i, end + 1);
        i = end;
      }
    } else if (PICOMATCH_SPECIAL.has(ch)) {
      out += `\\${ch}`;
    } else out += ch;
  }
  return out;
}

/**
 * A matcher for one path segment. `*` does not match a leading dot (as in a POSIX shell), `.` and
 * `..` never match (as bash's globskipdots), and braces, extglobs and negation are off, so only
 * `*`, `?` and `[...]` have meaning.
 */
export function createNameMatcher(pattern: string): (name: string) => boolean {
  const isMatch = picomatch(toPicomatch(pattern), { nobrace: true, noextglob: true, nonegate: true, noglobstar: true, dot: false });
  // One argument only: picomatch's second one asks for a result object (truthy), which Array#filter would pass.
  return (name) => name !== '.' && name !== '..' && isMatch(name);
}

/** A remote pattern taken from a URL: the directory to list and the pattern for its names. */
export interface RemoteGlob {
  /** Decoded directory path, '/' at least. */
  dir: string;
  /** The last segment, in this module's pattern syntax. */
  pattern: string;
}

/** Percent-decodes `text`, escaping what decodes to a glob character (so `%2A` stays a literal `*`). */
function decodeLiteral(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(run);
    } catch {
      return run;
    }
    return escapeGlob(decoded);
  });
}

/**
 * The pattern in a URL such as `ftp://h/dir/*.txt`, or undefined when its path is not a pattern.
 * Read from the URL as written, because the URL parser takes `?` as the start of a query. A
 * pattern in a directory segment next to one in the file name is refused (write `%5B` etc. there).
 */
export function parseRemoteGlobUrl(text: string): RemoteGlob | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text);
  if (!scheme) return undefined;
  const rest = text.slice(scheme[0].length);
  const slash = rest.search(/[/\\]/);
  if (slash < 0) return undefined;
  const segments = rest.slice(slash).split(/[/\\]/).map(decodeLiteral);
  const last = segments.pop() ?? '';
  // A directory named like "[old]" keeps working as before unless the file name is a pattern too.
  if (!hasGlob(last)) return undefined;
  if (segments.some(hasGlob)) throw new FtpError('BAD_URL', 'a pattern may only be in the last part of the path (the file name)');
  const dir = segments.map(unescapeGlob).join('/');
  return { dir: dir === '' ? '/' : dir, pattern: last };
}
