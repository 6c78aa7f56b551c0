/**
 * Incremental reply decoder (client side).
 *
 * Theory of operation: a {@link LineDecoder} cuts lines; a reply starts with a line "ddd-" (multi-
 * line) or "ddd " / "ddd" (single line). A multi-line reply ends at the first line that starts with
 * the same code followed by a space (or is just the code). Inner lines keep their text, except that a
 * leading "ddd-" with the same code is removed (servers such as "211-Features:" / "211-MDTM" do this)
 * and one indent space before a digit is removed (the mirror of {@link formatReply}). After an error
 * the decoder is broken and every later call throws the same error.
 *
 * @see RFC 959 §4.2
 */
import { ReplySyntaxError, ReplyTooLargeError } from './errors.js';
import { LineDecoder } from './line-decoder.js';
import type { Reply } from './reply.js';

const START = /^([1-6]\d\d)(?:([ -])(.*))?$/s;
const INDENTED_DIGIT = /^ +\d/;

export interface ReplyDecoderOptions {
  /** Largest reply (all lines, counted as UTF-8 plus CRLF each) in bytes. Default 65536. */
  maxReplySize?: number;
}

interface Pending {
  code: number;
  prefix: string;
  lines: string[];
  size: number;
}

/** UTF-8 length of a string (invalid bytes decoded as U+FFFD count 3, an over-estimate). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Turns the control connection's bytes into {@link Reply} values: split at any byte, several
 * replies in one chunk, multi-line replies. Throws {@link ReplyTooLargeError} past `maxReplySize`
 * and {@link ReplySyntaxError} on a line that cannot start a reply.
 *
 * @see RFC 959 §4.2
 */
export class ReplyDecoder {
  readonly #limit: number;
  readonly #lines: LineDecoder;
  #pending: Pending | undefined;
  #failed: Error | undefined;

  constructor(opts: ReplyDecoderOptions = {}) {
    const limit = opts.maxReplySize ?? 65536;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`maxReplySize must be a positive integer, got ${limit}`);
    this.#limit = limit;
    this.#lines = new LineDecoder({ maxLineLength: limit });
  }

  /** Feeds a chunk; returns the replies it completed, in order. */
  push(chunk: Uint8Array): Reply[] {
    if (this.#failed) throw this.#failed;
    try {
      const out: Reply[] = [];
      for (const line of this.#lines.push(chunk)) {
        if (typeof line !== 'string') throw new ReplyTooLargeError(this.#limit);
        const reply = this.#line(line);
        if (reply) out.push(reply);
      }
      const held = (this.#pending?.size ?? 0) + this.#lines.pendingBytes;
      if (held > this.#limit) throw new ReplyTooLargeError(this.#limit);
      return out;
    } catch (err) {
      this.#failed = err as Error;
      throw err;
    }
  }

  #line(line: string): Reply | undefined {
    const pending = this.#pending;
    if (!pending) {
      const m = START.exec(line);
      if (!m) throw new ReplySyntaxError(`not a reply line: ${JSON.stringify(line.slice(0, 80))}`);
      const code = Number(m[1]);
      const text = m[3] ?? '';
      if (m[2] !== '-') return { code, lines: [text], text };
      this.#pending = { code, prefix: m[1] as string, lines: [text], size: utf8Length(line) + 2 };
      return undefined;
    }
    pending.size += utf8Length(line) + 2;
    if (pending.size > this.#limit) throw new ReplyTooLargeError(this.#limit);
    const { prefix } = pending;
    if (line.startsWith(prefix) && (line.length === 3 || line[3] === ' ')) {
      pending.lines.push(line.slice(4));
      this.#pending = undefined;
      return { code: pending.code, lines: pending.lines, text: pending.lines.join('\n') };
    }
    if (line.startsWith(prefix) && line[3] === '-') pending.lines.push(line.slice(4));
    else pending.lines.push(INDENTED_DIGIT.test(line) ? line.slice(1) : line);
    return undefined;
  }
}
