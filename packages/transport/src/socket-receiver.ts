import type { Socket } from 'node:net';
import { BufferPool } from './buffer-pool.js';

/**
 * A batch is handed on once less than this is free in it: a read never gets a buffer so small
 * that it costs a syscall for a few bytes.
 */
const MIN_READ_ROOM = 64 * 1024;

/** Batches waiting for the consumer before the socket is paused. */
const MAX_PENDING = 2;

/** The `onread` option of `net.connect` / `new net.Socket` (Node's public user-buffer API). */
export interface OnReadOption {
  buffer: () => Uint8Array;
  callback: (bytes: number, buffer: Uint8Array) => boolean;
}

/** How a {@link SocketReceiver} gets its bytes (for measurements and tests). */
export type ReceiveMode = 'onread' | 'adopted' | 'chunks';

type SocketInternals = Record<symbol, unknown> & { _handle?: { useUserBuffer?: (buf: Uint8Array) => void } | null };

function internalSymbol(socket: Socket, name: string): symbol | undefined {
  return Object.getOwnPropertySymbols(socket).find((s) => s.description === name);
}

/**
 * Node 20 has `onread` only for sockets it connects; an accepted socket always reads into a fresh
 * 64 KiB buffer per read. It has the same machinery, though: `onread` merely sets three symbols
 * and calls `useUserBuffer` on the handle. Set them here, if (and only if) they look exactly as
 * Node 20 has them; otherwise false, and the caller reads chunks as before. Plain TCP only: a TLS
 * socket's handle decrypts into its own buffers.
 */
function canAdopt(socket: Socket): boolean {
  const s = socket as unknown as SocketInternals;
  const handle = s._handle;
  if (handle === null || handle === undefined || typeof handle.useUserBuffer !== 'function') return false;
  const names = ['kBuffer', 'kBufferGen', 'kBufferCb'].map((n) => internalSymbol(socket, n));
  return names.every((k) => k !== undefined && s[k] === null);
}

/** See {@link canAdopt}, which must have said yes. */
function adoptUserBuffer(socket: Socket, gen: () => Uint8Array, callback: OnReadOption['callback']): void {
  const s = socket as unknown as SocketInternals;
  const [kBuffer, kBufferGen, kBufferCb] = ['kBuffer', 'kBufferGen', 'kBufferCb'].map((n) => internalSymbol(socket, n) as symbol) as [symbol, symbol, symbol];
  const first = gen();
  s[kBuffer] = first;
  s[kBufferGen] = gen;
  s[kBufferCb] = callback;
  s._handle?.useUserBuffer?.(first);
}

function prematureClose(): Error {
  return Object.assign(new Error('data connection closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/**
 * The receiving half of a bulk transfer: a data socket's bytes as batches of about 1 MiB, read
 * straight into pooled buffers where Node allows it, for a file writer that keeps one write in
 * flight while the next batch fills. Backpressure: the socket is paused while two batches wait
 * for the consumer. A batch is the consumer's; it may give it back with {@link release} once
 * written (then the next batches reuse it), or keep it.
 *
 * Theory of operation — three ways in, one way out:
 * - `onread` (sockets this code creates): {@link onread} is given to `net.connect`; every read
 *   lands in the free tail of the current batch, no copy and no allocation per read.
 * - `adopted` (accepted plain TCP sockets): the same, set up after the fact (see
 *   `adoptUserBuffer`); bytes Node had already read are copied in first.
 * - `chunks` (TLS, or a Node whose internals differ): Node's own 64 KiB chunks are passed on
 *   as they come, uncopied; a copy into batches measured slower than handing them on.
 * Either way the iterator ends on the peer's FIN ('end') only: a socket closed or destroyed
 * (ABOR, a reset) without it throws, as a stream's iterator does, so a cut upload is never
 * taken for a complete one.
 */
export class SocketReceiver implements AsyncIterable<Buffer> {
  readonly pool: BufferPool;
  #mode: ReceiveMode = 'chunks';
  #socket: Socket | undefined;
  #cur: Buffer | undefined;
  #fill = 0;
  readonly #ready: Buffer[] = [];
  #readyBytes = 0;
  #ended = false;
  #failure: Error | undefined;
  #paused = false;
  #wake: (() => void) | undefined;
  #received = 0;
  #iterating = false;

  constructor(pool: BufferPool = new BufferPool()) {
    this.pool = pool;
  }

  /** The option to pass to `net.connect` for a socket this receiver will {@link attach} to. */
  get onread(): OnReadOption {
    this.#mode = 'onread';
    return { buffer: () => this.#room(), callback: (n) => this.#landed(n) };
  }

  /** How bytes come in (known after {@link attach}). */
  get mode(): ReceiveMode {
    return this.#mode;
  }

  /** Bytes received so far (all of them, batched or not yet). */
  get received(): number {
    return this.#received;
  }

  /**
   * Starts receiving from `socket`: created with {@link onread}, or accepted (plain TCP is
   * adopted, TLS read in chunks). Call once, before anything else reads the socket.
   */
  attach(socket: Socket): this {
    if (this.#socket !== undefined) throw new Error('SocketReceiver: already attached');
    this.#socket = socket;
    if (this.#mode !== 'onread') {
      // Bytes Node already read (into its own buffers) come first.
      const early: Buffer[] = [];
      for (let c = socket.read() as Buffer | null; c !== null; c = socket.read() as Buffer | null) early.push(c);
      const tls = (socket as { encrypted?: boolean }).encrypted === true;
      if (!tls && canAdopt(socket)) {
        this.#mode = 'adopted';
        // Copied before the handle gets the batch's tail, which is where the next read lands.
        for (const c of early) this.#copyIn(c);
        adoptUserBuffer(socket, () => this.#room(), (n) => this.#landed(n));
      } else {
        for (const c of early) this.#chunk(c);
        socket.on('data', (c: Buffer) => this.#chunk(c));
      }
    }
    socket.on('end', () => {
      this.#ended = true;
      this.#flush();
      this.#notify();
    });
    socket.on('error', (err: Error) => this.#fail(err));
    socket.on('close', () => {
      if (!this.#ended) this.#fail((socket.errored as Error | null) ?? prematureClose());
    });
    if (socket.readableEnded) {
      this.#ended = true;
      this.#flush();
    } else if (socket.destroyed) {
      this.#fail((socket.errored as Error | null) ?? prematureClose());
    } else socket.resume();
    return this;
  }

  /** Gives a batch back once written; the next reads reuse it. */
  release(batch: Uint8Array): void {
    this.pool.release(batch);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    if (this.#iterating) throw new Error('SocketReceiver: one consumer only');
    this.#iterating = true;
    let finished = false;
    try {
      for (;;) {
        const batch = this.#ready.shift();
        if (batch !== undefined) {
          this.#readyBytes -= batch.length;
          this.#resumeIfRoom();
          yield batch;
          continue;
        }
        if (this.#failure !== undefined) throw this.#failure;
        if (this.#ended) {
          finished = true;
          return;
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      // Stopped early (a storage error, an abort): nothing will read the rest.
      if (!finished) this.#socket?.destroy();
    }
  }

  #room(): Uint8Array {
    this.#cur ??= this.pool.acquire();
    return this.#cur.subarray(this.#fill);
  }

  #landed(n: number): boolean {
    this.#received += n;
    this.#fill += n;
    const cur = this.#cur as Buffer;
    if (cur.length - this.#fill < MIN_READ_ROOM) this.#flush();
    if (!this.#mustPause()) return true;
    // Returning false only stops the handle; pause() too, so that resume() starts it again.
    this.#pause();
    return false;
  }

  #copyIn(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      const room = this.#room();
      const k = Math.min(room.length, chunk.length - off);
      chunk.copy(room, 0, off, off + k);
      off += k;
      this.#received += k;
      this.#fill += k;
      if ((this.#cur as Buffer).length - this.#fill < MIN_READ_ROOM) this.#flush();
    }
    if (this.#mustPause()) this.#pause();
  }

  #chunk(chunk: Buffer): void {
    this.#received += chunk.length;
    this.#push(chunk);
    if (this.#mustPause()) this.#pause();
  }

  /** The batch filled so far goes to the consumer. */
  #flush(): void {
    const cur = this.#cur;
    if (cur === undefined || this.#fill === 0) return;
    const batch = cur.subarray(0, this.#fill);
    this.#cur = undefined;
    this.#fill = 0;
    this.#push(batch);
  }

  #push(batch: Buffer): void {
    this.#ready.push(batch);
    this.#readyBytes += batch.length;
    this.#notify();
  }

  #mustPause(): boolean {
    const full = this.#mode === 'chunks' ? this.#readyBytes >= MAX_PENDING * this.pool.size : this.#ready.length >= MAX_PENDING;
    if (full) this.#paused = true;
    return full;
  }

  #pause(): void {
    this.#socket?.pause();
  }

  #resumeIfRoom(): void {
    if (!this.#paused) return;
    const room = this.#mode === 'chunks' ? this.#readyBytes < MAX_PENDING * this.pool.size : this.#ready.length < MAX_PENDING;
    if (!room) return;
    this.#paused = false;
    this.#socket?.resume();
  }

  #fail(err: Error): void {
    // What arrived before the failure is handed on first (a resumable upload keeps it), then the error.
    if (this.#failure === undefined) this.#flush();
    this.#failure ??= err;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
