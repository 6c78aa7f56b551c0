/**
 * Paths in 257 replies (MKD, PWD): double quotes around, inner quotes doubled.
 *
 * @see RFC 959 Appendix II
 */
import { ReplySyntaxError } from './errors.js';

/**
 * '"' + path with every '"' doubled + '"'. The path is not otherwise changed; a CR or LF in it
 * would split the reply, so callers keep such names out of 257 replies.
 *
 * @see RFC 959 Appendix II
 */
export function quotePath(path: string): string {
  return `"${path.replaceAll('"', '""')}"`;
}

/**
 * The path from a 257 reply text: '"/a ""b"" c" created' gives '/a "b" c'. Text before the opening
 * quote and after the closing one is ignored. Throws {@link ReplySyntaxError} when there is no
 * quoted path.
 *
 * @see RFC 959 Appendix II
 */
export function parseQuotedPath(text: string): string {
  const open = text.indexOf('"');
  if (open < 0) throw new ReplySyntaxError('257 text has no quoted path');
  let path = '';
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c !== '"') {
      path += c;
      continue;
    }
    if (text[i + 1] !== '"') return path;
    path += '"';
    i++;
  }
  throw new ReplySyntaxError('257 text has an unterminated quoted path');
}
