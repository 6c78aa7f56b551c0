import type { FileHandle } from 'node:fs/promises';
import { BULK_BUFFER_BYTES } from './buffer-pool.js';

/**
 * Writes received batches to a file: chunks gather to about `batchBytes`, one `writev` is in
 * flight while the next batch gathers, and {@link write} waits (backpressure for the reader)
 * only when a full batch is ready and the previous write has not finished. Each chunk is handed
 * to `written` once the kernel has it (to reuse its buffer). Short writes are continued; an error
 * is thrown by the next {@link write} or by {@link finish}, and the bytes counted by
 * {@link written} are exactly the bytes in the file.
 */
export class FileBatchWriter {
  readonly #fh: FileHandle;
  readonly #batchBytes: number;
  readonly #done: ((chunk: Uint8Array) => void) | undefined;
  #position: number | null;
  #gathered: Uint8Array[] = [];
  #gatheredBytes = 0;
  #writing: Promise<void> | undefined;
  #failure: unknown;
  #written = 0;

  /**
   * @param position where the first byte goes; `null` writes at the file's current position
   *   (a file opened for appending).
   */
  constructor(fh: FileHandle, position: number | null, opts: { batchBytes?: number; written?: (chunk: Uint8Array) => void } = {}) {
    this.#fh = fh;
    this.#position = position;
    this.#batchBytes = opts.batchBytes ?? BULK_BUFFER_BYTES;
    this.#done = opts.written;
  }

  /** Bytes the file has received so far (writes finished). */
  get written(): number {
    return this.#written;
  }

  /** Takes a chunk; the caller must not change it until `written` hands it back. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    if (chunk.byteLength === 0) return;
    this.#gathered.push(chunk);
    this.#gatheredBytes += chunk.byteLength;
    if (this.#gatheredBytes >= this.#batchBytes) await this.#flush();
  }

  /** Writes what is gathered and waits for every write. */
  async finish(): Promise<void> {
    await this.#flush();
    await this.#settle();
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Waits for the write in flight (if any) and drops what was gathered: after a failure. */
  async abandon(): Promise<void> {
    this.#gathered = [];
    this.#gatheredBytes = 0;
    await this.#settle().catch(() => undefined);
  }

  async #settle(): Promise<void> {
    const w = this.#writing;
    this.#writing = undefined;
    await w;
  }

  async #flush(): Promise<void> {
    await this.#settle();
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#gatheredBytes === 0) return;
    const chunks = this.#gathered;
    const total = this.#gatheredBytes;
    this.#gathered = [];
    this.#gatheredBytes = 0;
    const at = this.#position;
    if (this.#position !== null) this.#position += total;
    const w = this.#writeAll(chunks, total, at).catch((err: unknown) => {
      this.#failure ??= err;
    });
    this.#writing = w;
  }

  async #writeAll(chunks: Uint8Array[], total: number, position: number | null): Promise<void> {
    let rest = chunks;
    let left = total;
    let pos = position;
    while (left > 0) {
      const { bytesWritten } = rest.length === 1 ? await this.#fh.write(rest[0] as Uint8Array, 0, left, pos) : await this.#fh.writev(rest, pos ?? undefined);
      if (bytesWritten <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
      left -= bytesWritten;
      this.#written += bytesWritten;
      if (pos !== null) pos += bytesWritten;
      let skip = bytesWritten;
      const next: Uint8Array[] = [];
      for (const b of rest) {
        if (skip >= b.byteLength) {
          skip -= b.byteLength;
          this.#done?.(b);
          continue;
        }
        next.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
      rest = next;
    }
  }
}
