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
 * quote is ignored. When the RFC reading ends at a quote that is followed by neither a space nor the
 * end of the text, the server did not double its quotes (pure-ftpd sends '"/say "hi"" is ...'), so
 * the path runs raw to the last quote that is followed by a space or the end. Throws
 * {@link ReplySyntaxError} when there is no quoted path.
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
    if (text[i + 1] === '"') {
      path += '"';
      i++;
      continue;
    }
    const after = text[i + 1];
    if (after === undefined || /\s/.test(after)) return path;
    return undoubled(text, open);
  }
  throw new ReplySyntaxError('257 text has an unterminated quoted path');
}

function undoubled(text: string, open: number): string {
  for (let close = text.length - 1; close > open; close--) {
    if (text[close] !== '"') continue;
    const after = text[close + 1];
    if (after === undefined || /\s/.test(after)) return text.slice(open + 1, close);
  }
  throw new ReplySyntaxError('257 text has an unterminated quoted path');
}
