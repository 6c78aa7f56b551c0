/**
 * Repairs an ABOR whose final LF was sent as TCP urgent data.
 *
 * RFC 959 §4.1.3 asks clients to send ABOR with the Telnet "Synch" (urgent data). Several clients
 * (Python's ftplib among them) send the whole `ABOR\r\n` with MSG_OOB, which marks the last byte
 * (the LF) urgent; Linux delivers that byte out of band and drops it from the stream unless the
 * socket has SO_OOBINLINE, which Node cannot set. The server then sees `ABOR\r` and no line end.
 * This puts the LF back when a chunk ends in exactly that, and drops a late in-band LF if one
 * still arrives, so no empty command appears.
 */
export class UrgentAbortRepair {
  #added = false;

  /** The chunk, with a missing LF after a trailing `ABOR\r` restored. */
  push(chunk: Uint8Array): Uint8Array {
    let data = chunk;
    if (this.#added) {
      this.#added = false;
      if (data[0] === 0x0a) data = data.subarray(1);
    }
    const n = data.length;
    if (n >= 5 && data[n - 1] === 0x0d) {
      const tail = String.fromCharCode(data[n - 5] ?? 0, data[n - 4] ?? 0, data[n - 3] ?? 0, data[n - 2] ?? 0).toUpperCase();
      const before = n >= 6 ? data[n - 6] : 0x0a;
      // The verb must start the line (or follow Telnet IAC IP / IAC DM bytes).
      if (tail === 'ABOR' && (before === 0x0a || before === 0xf2 || before === 0xf4 || before === 0xff || n === 5)) {
        const fixed = new Uint8Array(n + 1);
        fixed.set(data);
        fixed[n] = 0x0a;
        this.#added = true;
        return fixed;
      }
    }
    return data;
  }
}
