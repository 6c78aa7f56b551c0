/**
 * TYPE A end-of-line conversion for data connections, stateful across chunks.
 *
 * @see RFC 959 §3.1.1.1
 */

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = new Uint8Array(0);

/**
 * Local text to NVT-ASCII line ends: a bare LF becomes CRLF; an existing CRLF (even split across
 * chunks) is kept as it is; a lone CR is passed through. Bytes other than line ends are untouched.
 *
 * @see RFC 959 §3.1.1.1
 */
export class AsciiEncoder {
  #lastWasCr = false;

  /** Converts a chunk. A chunk without LF is returned as it is (no copy). */
  push(chunk: Uint8Array): Uint8Array {
    if (chunk.length === 0) return EMPTY;
    if (chunk.indexOf(LF) < 0) {
      this.#lastWasCr = chunk[chunk.length - 1] === CR;
      return chunk;
    }
    let extra = 0;
    let prevCr = this.#lastWasCr;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === LF && !prevCr) extra++;
      prevCr = b === CR;
    }
    const out = new Uint8Array(chunk.length + extra);
    let o = 0;
    prevCr = this.#lastWasCr;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (b === LF && !prevCr) out[o++] = CR;
      out[o++] = b;
      prevCr = b === CR;
    }
    this.#lastWasCr = prevCr;
    return out;
  }

  /** Ends the stream; nothing is held back, so this returns no bytes and resets the state. */
  end(): Uint8Array {
    this.#lastWasCr = false;
    return EMPTY;
  }
}

/**
 * NVT-ASCII to local text: CRLF becomes LF. A CR at the end of a chunk waits for the next chunk;
 * a CR not followed by LF is kept. {@link AsciiDecoder.end} flushes a held CR.
 *
 * @see RFC 959 §3.1.1.1
 */
export class AsciiDecoder {
  #heldCr = false;

  /** Converts a chunk. A chunk without CR, when no CR is held, is returned as it is (no copy). */
  push(chunk: Uint8Array): Uint8Array {
    if (chunk.length === 0) return EMPTY;
    if (!this.#heldCr && chunk.indexOf(CR) < 0) return chunk;
    const out = new Uint8Array(chunk.length + 1);
    let o = 0;
    let i = 0;
    if (this.#heldCr) {
      this.#heldCr = false;
      if (chunk[0] !== LF) out[o++] = CR;
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (b !== CR) {
        out[o++] = b;
        continue;
      }
      if (i === chunk.length - 1) this.#heldCr = true;
      else if (chunk[i + 1] !== LF) out[o++] = CR;
    }
    return out.subarray(0, o);
  }

  /** Ends the stream: returns a CR that was still held, and resets the state. */
  end(): Uint8Array {
    const held = this.#heldCr;
    this.#heldCr = false;
    return held ? Uint8Array.of(CR) : EMPTY;
  }
}
