/**
 * Splits the control connection's byte stream into lines.
 *
 * Theory of operation: bytes pass through a three-state TELNET filter (data, after IAC, after an
 * option verb), then collect in a fixed-capacity buffer until LF. A CR right before the LF is
 * dropped, so both CRLF and bare LF end a line. Text is decoded only when the line is complete,
 * which keeps UTF-8 characters split across chunks intact. When a line outgrows the limit the
 * decoder emits one {@link LineTooLongError} and skips to the next LF instead of growing.
 *
 * @see RFC 959 §4.1.3 (end of line), RFC 854 (TELNET IAC)
 */
import { LineTooLongError } from './errors.js';

const LF = 0x0a;
const CR = 0x0d;
const IAC = 0xff;
const WILL = 251;
const DONT = 254;
const FIRST_COMMAND = 240;

const enum Telnet {
  Data,
  AfterIac,
  Option,
}

export interface LineDecoderOptions {
  /** Longest line in bytes, not counting the CRLF/LF. Default 4096. */
  maxLineLength?: number;
}

/**
 * Incremental command-line decoder (server side; the reply decoder uses it too).
 *
 * CRLF or bare LF end a line; the unfinished tail is kept across chunks; TELNET IAC sequences are
 * removed (IAC IAC gives a 0xFF byte, IAC WILL/WONT/DO/DONT <opt> and other IAC commands are
 * dropped, also when split across chunks); invalid UTF-8 becomes U+FFFD. An over-long line yields a
 * {@link LineTooLongError} value in the output and the rest of that line is discarded.
 *
 * @see RFC 959 §4.1.3
 */
export class LineDecoder {
  readonly #limit: number;
  #buf: Uint8Array;
  #len = 0;
  #discarding = false;
  #telnet = Telnet.Data;
  readonly #text = new TextDecoder('utf-8');

  constructor(opts: LineDecoderOptions = {}) {
    const limit = opts.maxLineLength ?? 4096;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`maxLineLength must be a positive integer, got ${limit}`);
    this.#limit = limit;
    // One extra byte leaves room for the CR of a line that is exactly at the limit.
    this.#buf = new Uint8Array(Math.min(limit + 1, 256));
  }

  /** Bytes of the unfinished line held so far. */
  get pendingBytes(): number {
    return this.#len;
  }

  /** Feeds a chunk; returns the lines it completed (without CR/LF) and any over-long-line errors. */
  push(chunk: Uint8Array): Array<string | LineTooLongError> {
    const out: Array<string | LineTooLongError> = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      switch (this.#telnet) {
        case Telnet.Data:
          if (b === IAC) this.#telnet = Telnet.AfterIac;
          else this.#byte(b, out);
          break;
        case Telnet.AfterIac:
          this.#telnet = Telnet.Data;
          if (b === IAC) this.#byte(IAC, out);
          else if (b >= WILL && b <= DONT) this.#telnet = Telnet.Option;
          // A byte that is no TELNET command after a stray IAC is kept, so a line end is never lost.
          else if (b < FIRST_COMMAND) this.#byte(b, out);
          break;
        case Telnet.Option:
          this.#telnet = Telnet.Data;
          break;
      }
    }
    return out;
  }

  /** Drops the unfinished line and any half-read TELNET sequence (e.g. after AUTH TLS). */
  reset(): void {
    this.#len = 0;
    this.#discarding = false;
    this.#telnet = Telnet.Data;
  }

  #byte(b: number, out: Array<string | LineTooLongError>): void {
    if (b === LF) {
      if (this.#discarding) {
        this.#discarding = false;
        return;
      }
      let end = this.#len;
      if (end > 0 && this.#buf[end - 1] === CR) end--;
      this.#len = 0;
      out.push(end > this.#limit ? new LineTooLongError(this.#limit) : this.#text.decode(this.#buf.subarray(0, end)));
      return;
    }
    if (this.#discarding) return;
    if (this.#len > this.#limit) {
      out.push(new LineTooLongError(this.#limit));
      this.#discarding = true;
      this.#len = 0;
      return;
    }
    if (this.#len === this.#buf.length) {
      const bigger = new Uint8Array(Math.min(this.#buf.length * 2, this.#limit + 1));
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    this.#buf[this.#len++] = b;
  }
}
