/**
 * Theory of operation: an upload's bytes are "written" as soon as the kernel takes them, long
 * before the server has read them. Between the two sit both ends' socket buffers, several MiB on
 * a fast link, so counting written bytes shows a rate of hundreds of MiB/s and a full bar while
 * the server still reads. FTP gives no acknowledgement before the final 226, so this estimates
 * what the server holds: the first write that has to wait for the server marks the buffers as
 * full, and the bytes written before it are taken as their size (the window); a later write that
 * did not wait widens it (the buffers grew). From then on a
 * chunk counts once a window's worth of later bytes has been written after it; whatever is still
 * held when the source ends counts only with the 226. A path whose writes never wait gets the
 * largest window, so figures lag rather than lead. Pure: the caller passes the write durations.
 */

/** A write that took this long waited for the server to read (full buffers), ms. */
export const UPLOAD_WAIT_MS = 50;
/** The largest window assumed, bytes: above what default Linux socket buffers hold together. */
export const UPLOAD_MAX_WINDOW = 8 * 1024 * 1024;

/** Counts upload bytes as the server is likely to have read them; see the theory above. */
export class UploadAckEstimate {
  /** Chunk sizes written and not counted yet, oldest first. */
  private readonly held: number[] = [];
  private heldBytes = 0;
  private written = 0;
  private window: number | undefined;

  constructor(private readonly maxWindow = UPLOAD_MAX_WINDOW) {}

  /**
   * A chunk of `bytes` was written; the write took `tookMs`. Returns the bytes that count as
   * read by the server now (0 or more whole earlier chunks).
   */
  wrote(bytes: number, tookMs: number): number {
    if (this.window === undefined) {
      if (tookMs >= UPLOAD_WAIT_MS) this.window = Math.min(this.maxWindow, this.written);
    } else if (tookMs < UPLOAD_WAIT_MS) {
      // Room without waiting after the buffers were full: they grew (TCP autotuning), or the
      // server read a burst. Taking it as growth can only make the figures lag, never lead.
      this.window = Math.min(this.maxWindow, this.window + bytes);
    }
    this.written += bytes;
    this.held.push(bytes);
    this.heldBytes += bytes;
    const window = this.window ?? this.maxWindow;
    let counted = 0;
    // Always keep the newest chunk: nothing says the server has even begun to read it.
    while (this.held.length > 1 && this.heldBytes - (this.held[0] ?? 0) >= window) {
      const head = this.held.shift() ?? 0;
      this.heldBytes -= head;
      counted += head;
    }
    return counted;
  }

  /** The server confirmed the whole transfer (226): everything still held counts. */
  confirmed(): number {
    const rest = this.heldBytes;
    this.held.length = 0;
    this.heldBytes = 0;
    return rest;
  }
}
