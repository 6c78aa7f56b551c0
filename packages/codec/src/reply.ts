/**
 * Reply formatting and classification.
 *
 * @see RFC 959 §4.2
 */

/** A complete reply. */
export interface Reply {
  /** Three-digit reply code. */
  code: number;
  /** Text of each line, with the code and separator removed (and the indent of inner lines that start with a digit). */
  lines: string[];
  /** `lines` joined with '\n'. */
  text: string;
}

/** Inner lines that start with (spaces then) a digit get one space more so they never look like an end line. */
const NEEDS_INDENT = /^ *\d/;

/** Splits text into reply lines on CRLF, CR or LF. */
function replyLines(text: string | readonly string[]): string[] {
  const parts = typeof text === 'string' ? [text] : text;
  const lines: string[] = [];
  for (const part of parts) lines.push(...part.split(/\r\n|\r|\n/));
  if (lines.length === 0) lines.push('');
  return lines;
}

function checkCode(code: number): void {
  if (!Number.isInteger(code) || code < 100 || code > 699) throw new RangeError(`reply code must be 100..699, got ${code}`);
}

/**
 * Formats a reply. One line gives "200 ok\r\n"; several give "211-first\r\n inner\r\n211 last\r\n"
 * (RFC 959 §4.2). Line breaks inside `text` start new lines. Inner lines that start with a digit
 * (after any spaces) are indented by one space so a client cannot mistake them for the end line;
 * {@link ReplyDecoder} removes that space again. Throws RangeError for a code outside 100..699.
 *
 * @see RFC 959 §4.2
 */
export function formatReply(code: number, text: string | readonly string[]): string {
  checkCode(code);
  const lines = replyLines(text);
  if (lines.length === 1) return `${code} ${lines[0]}\r\n`;
  let out = `${code}-${lines[0]}\r\n`;
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i] as string;
    out += NEEDS_INDENT.test(line) ? ` ${line}\r\n` : `${line}\r\n`;
  }
  return `${out}${code} ${lines[lines.length - 1]}\r\n`;
}

const encoder = new TextEncoder();

/** {@link formatReply} as UTF-8 bytes (RFC 2640). */
export function encodeReply(code: number, text: string | readonly string[]): Uint8Array {
  return encoder.encode(formatReply(code, text));
}

export type ReplyKind = 'preliminary' | 'completion' | 'intermediate' | 'transient' | 'permanent';

const KINDS: readonly ReplyKind[] = ['preliminary', 'completion', 'intermediate', 'transient', 'permanent'];

/**
 * The meaning of a reply's first digit: 1 preliminary, 2 completion, 3 intermediate, 4 transient
 * negative, 5 permanent negative. Throws RangeError for codes outside 100..599 (6yz protected replies
 * of RFC 2228 carry their kind inside).
 *
 * @see RFC 959 §4.2.1
 */
export function replyKind(code: number): ReplyKind {
  if (!Number.isInteger(code) || code < 100 || code > 599) throw new RangeError(`reply code must be 100..599, got ${code}`);
  return KINDS[Math.floor(code / 100) - 1] as ReplyKind;
}
