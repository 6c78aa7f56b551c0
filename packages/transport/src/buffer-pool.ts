/** Size of one pooled buffer: a file write batch and a file read chunk (1 MiB). */
export const BULK_BUFFER_BYTES = 1 << 20;

/** Pooled buffers kept at most per pool (the rest are left to the garbage collector). */
export const BULK_POOL_KEEP = 4;

/**
 * A small pool of equal, reusable buffers for bulk transfers: one transfer's reads and writes
 * cycle through the same few megabytes instead of allocating a fresh buffer per chunk (fresh
 * large buffers cost page faults and garbage collection per megabyte). Returning a buffer is
 * optional: a buffer never released is simply collected, so a consumer that keeps a chunk (any
 * storage adapter, a caller's stream) is always safe. Only buffers this pool handed out are
 * taken back, and only once each.
 */
export class BufferPool {
  readonly size: number;
  readonly #keep: number;
  readonly #free: Buffer[] = [];
  readonly #lent = new WeakSet<ArrayBufferLike>();

  constructor(size = BULK_BUFFER_BYTES, keep = BULK_POOL_KEEP) {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`buffer size must be a positive integer, got ${size}`);
    this.size = size;
    this.#keep = keep;
  }

  /** A buffer of `size` bytes whose contents are undefined. */
  acquire(): Buffer {
    const buf = this.#free.pop() ?? Buffer.allocUnsafeSlow(this.size);
    this.#lent.add(buf.buffer);
    return buf;
  }

  /**
   * Gives back a buffer from {@link acquire} (or any view of one) once nothing reads it any more
   * (a file write finished, a socket's write callback ran). Anything else is ignored.
   */
  release(view: Uint8Array): void {
    const backing = view.buffer;
    if (!this.#lent.has(backing)) return;
    this.#lent.delete(backing);
    if (this.#free.length < this.#keep) this.#free.push(Buffer.from(backing, 0, this.size));
  }

  /** Buffers waiting in the pool (tests). */
  get idle(): number {
    return this.#free.length;
  }
}
