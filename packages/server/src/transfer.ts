import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { AsciiDecoder, AsciiEncoder, DataChannelError } from '@ftpkit/codec';
import type { HashAlgorithm, SessionUser, TransferSpec } from '@ftpkit/session';
import type { StorageAdapter } from '@ftpkit/storage';
import { SocketReceiver } from '@ftpkit/transport';
import { Crc32 } from './crc32.js';
import { listingChunks } from './listing.js';
import { throttle, type TokenBucket } from './token-bucket.js';

/** Counts what flows through; the count survives a failure so transfer-end can report it. */
export interface ByteCounter {
  bytes: number;
}

/**
 * How long an atomic upload's end waits for a control-connection EOF before it may commit. A
 * killed client's kernel closes its two sockets one after the other; on a loaded machine the
 * second FIN has been seen to come milliseconds after the first (4 ms with curl), which two
 * event-loop turns alone do not cover. Only atomic uploads pay it: they are the ones that
 * promise the old file survives a failed upload.
 */
export const ATOMIC_COMMIT_GRACE_MS = 25;

/**
 * Counts the bytes. With `endGate` (uploads), the end of the source is passed on only if that
 * signal has not aborted two event-loop turns (two polls for I/O) and `graceMs` later: a killed
 * client's data connection ends with a plain FIN, like a complete upload, and the control
 * connection's EOF that aborts the transfer may come right behind it. The storage checks again
 * at its commit point.
 */
function counting(counter: ByteCounter, endGate?: AbortSignal, graceMs = 0) {
  return async function* count(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      counter.bytes += chunk.length;
      yield chunk;
    }
    if (endGate !== undefined) {
      for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
      if (graceMs > 0 && !endGate.aborted) await delay(graceMs, undefined, { signal: endGate }).catch(() => undefined);
      endGate.throwIfAborted();
    }
  };
}

function asciiEncode() {
  return async function* encode(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    const encoder = new AsciiEncoder();
    for await (const chunk of source) {
      const out = encoder.push(chunk);
      if (out.length > 0) yield out;
    }
    const tail = encoder.end();
    if (tail.length > 0) yield tail;
  };
}

function asciiDecode() {
  return async function* decode(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    const decoder = new AsciiDecoder();
    for await (const chunk of source) {
      const out = decoder.push(chunk);
      if (out.length > 0) yield out;
    }
    const tail = decoder.end();
    if (tail.length > 0) yield tail;
  };
}

type Stage = (source: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>;

/** The stages applied one after the other, as one stage. */
function chain(stages: readonly Stage[]): Stage {
  return (source) => stages.reduce((acc, stage) => stage(acc), source);
}

/** Network failures of the data socket become DataChannelError('reset'); storage errors pass unchanged. */
function isSocketError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ERR_STREAM_DESTROYED' ||
    code === 'ETIMEDOUT'
  );
}

function mapError(err: unknown): unknown {
  if (err instanceof DataChannelError) return err;
  if (isSocketError(err)) return new DataChannelError('reset', 'data connection lost', { cause: err });
  return err;
}

/**
 * How long a download's end waits for the client to close its side after reading to the end of
 * the data. Clients close the data connection on its end (curl, lftp, ftplib, wget, Node sockets
 * do), so this is rarely waited out; a client that waits for the 226 first gets it this late.
 */
export const PEER_CLOSE_GRACE_MS = 2_000;

/**
 * After our FIN: resolves when the client closes its side (it read everything: the kernel's send
 * buffer, megabytes on a fast link, has reached it) or after `graceMs` (as before, the bytes were
 * handed to the network); rejects when the client resets the connection instead, which it does
 * when it closes with data still unread. Then the download failed, whatever the server wrote.
 */
function peerClosed(socket: Socket, graceMs: number): Promise<void> {
  if (socket.readableEnded || socket.destroyed) return socket.errored ? Promise.reject(socket.errored) : Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error | null): void => {
      clearTimeout(timer);
      socket.off('end', ended);
      socket.off('error', done);
      socket.off('close', closed);
      if (err) reject(err);
      else resolve();
    };
    const ended = (): void => done();
    const closed = (): void => done(socket.errored);
    const timer = setTimeout(done, graceMs);
    socket.once('end', ended);
    socket.once('error', done);
    socket.once('close', closed);
    // Reading is what lets 'end' (the client's FIN) or the reset be seen; a client sends nothing else.
    socket.resume();
  });
}

/**
 * The data socket as a pipeline's last stage: each chunk is written with backpressure ('drain'),
 * then the socket is ended, its 'finish' awaited, and the client's close (see `peerClosed`).
 * `counter` counts the bytes the kernel took (write callbacks), not those still queued in Node
 * when the client went away. Not the socket itself as the destination:
 * when the client closes the connection while the source is between chunks, the socket ends on
 * its own (no half-open) and Node 20's pipeline then waits forever after its own `end()`, so the
 * RETR never replies, not even to ABOR. Here a socket that is closed, ended or errored fails the
 * transfer at once. ABOR and the data timeout destroy the socket, which ends any wait.
 */
function sendTo(socket: Socket, counter: ByteCounter) {
  const gone = (): Error =>
    (socket.errored as Error | null) ?? Object.assign(new Error('data connection closed by the peer'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
  const settle = (event: 'drain' | 'finish'): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        socket.off(event, ok);
        socket.off('error', done);
        socket.off('close', closed);
        if (err) reject(err);
        else resolve();
      };
      const ok = (): void => done();
      const closed = (): void => done(event === 'finish' && socket.writableFinished ? undefined : gone());
      socket.once(event, ok);
      socket.once('error', done);
      socket.once('close', closed);
    });
  return async function send(source: AsyncIterable<Uint8Array>): Promise<void> {
    const count = (chunk: Uint8Array) => (err?: Error | null): void => {
      if (!err) counter.bytes += chunk.length;
    };
    for await (const chunk of source) {
      if (socket.destroyed || socket.writableEnded) throw gone();
      if (!socket.write(chunk, count(chunk))) await settle('drain');
    }
    if (socket.writableFinished) return;
    if (socket.destroyed || socket.writableEnded) throw gone();
    const finished = settle('finish');
    socket.end();
    await finished;
    await peerClosed(socket, PEER_CLOSE_GRACE_MS);
  };
}

/**
 * A binary RETR without throttling: the first chunk goes to the socket as soon as it is read,
 * and a file that ends there (most files: the storage reads small ones in one call) is sent and
 * ended without the pipeline and its stages. Longer files continue through the same `sendTo`
 * as every other transfer. ABOR and the data timeout destroy the socket, which ends any wait.
 */
async function sendPlain(source: AsyncIterable<Uint8Array>, socket: Socket, counter: ByteCounter, signal: AbortSignal): Promise<void> {
  const it = source[Symbol.asyncIterator]();
  let open = true;
  try {
    const first = await it.next();
    if (!first.done) {
      if (socket.destroyed || socket.writableEnded) throw closedError(socket);
      const length = first.value.length;
      // Counted when the kernel took it, like every chunk of sendTo.
      socket.write(first.value, (err) => {
        if (!err) counter.bytes += length;
      });
    }
    const second = first.done ? first : await it.next();
    if (second.done) {
      open = false;
      await sendTo(socket, counter)(NO_CHUNKS);
      return;
    }
    open = false;
    await pipeline(resumed(second.value, it), sendTo(socket, counter), { signal });
  } finally {
    if (open) void Promise.resolve(it.return?.()).catch(() => undefined);
  }
}

const NO_CHUNKS: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) };

/** `first`, then the rest of `it`. */
async function* resumed(first: Uint8Array, it: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  let done = false;
  try {
    yield first;
    for (;;) {
      const step = await it.next();
      if (step.done) {
        done = true;
        return;
      }
      yield step.value;
    }
  } finally {
    // Stopped early (failure, abort): the storage closes its file.
    if (!done) await it.return?.();
  }
}

function closedError(socket: Socket): Error {
  return (socket.errored as Error | null) ?? Object.assign(new Error('data connection closed by the peer'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/** What a transfer needs besides the spec. */
export interface TransferContext {
  storage: StorageAdapter;
  socket: Socket;
  signal: AbortSignal;
  user: SessionUser | undefined;
  now: Date;
  counter: ByteCounter;
  /** Bandwidth limits for this direction (session, user); empty = unlimited. */
  buckets: readonly TokenBucket[];
  /** RETR: the file's bytes from the offset when they are already being read (a read-ahead). */
  source?: AsyncIterable<Uint8Array>;
  /** STOR on an active connection: its reader, attached since the connect (see DataChannel.open). */
  receiver?: SocketReceiver;
  /** Uploads of a user with a quota: books each chunk before it is stored (throws EDQUOT). */
  quota?: { take(bytes: number): void };
}

function quotaGuard(quota: { take(bytes: number): void }) {
  return async function* guard(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      quota.take(chunk.length);
      yield chunk;
    }
  };
}

/**
 * Move the bytes of one RETR/STOR/APPE/STOU/LIST/NLST/MLSD over an open data connection with
 * `stream.pipeline` (backpressure by the streams themselves; `signal` aborts). Resolves with the
 * number of bytes moved: for an upload the file bytes received (before TYPE A conversion), for a
 * download or listing the bytes the kernel took for the client (after it). Raw errors are thrown for the session's
 * error table, socket failures as DataChannelError('reset').
 */
export async function runTransfer(spec: TransferSpec, ctx: TransferContext): Promise<number> {
  const { storage, socket, signal, counter } = ctx;
  try {
    switch (spec.type) {
      case 'retr': {
        const source = ctx.source ?? storage.read(spec.path, { start: spec.offset, signal });
        if (!spec.ascii && ctx.buckets.length === 0) {
          await sendPlain(source, socket, counter, signal);
          break;
        }
        // Only the stages a transfer needs: each async stage costs a few ticks per chunk.
        const stages: Stage[] = [];
        if (spec.ascii) stages.push(asciiEncode());
        if (ctx.buckets.length > 0) stages.push(throttle(ctx.buckets, signal));
        await pipeline(source, chain(stages), sendTo(socket, counter), { signal });
        break;
      }
      case 'stor': {
        const sink = async (data: AsyncIterable<Uint8Array>): Promise<void> => {
          await storage.write(spec.path, data, {
            mode: spec.append ? 'append' : 'truncate',
            ...(spec.offset > 0 && !spec.append ? { start: spec.offset } : {}),
            uploadMode: spec.uploadMode,
            signal,
          });
        };
        const stages: Stage[] = [];
        if (ctx.buckets.length > 0) stages.push(throttle(ctx.buckets, signal));
        if (spec.ascii) stages.push(asciiDecode());
        if (ctx.quota !== undefined) stages.push(quotaGuard(ctx.quota));
        stages.push(counting(counter, signal, spec.uploadMode === 'atomic' ? ATOMIC_COMMIT_GRACE_MS : 0));
        const through = chain(stages);
        // ~1 MiB batches read into fresh pooled-size buffers (never released here: the storage
        // keeps each batch until written, and any adapter may keep it longer). A throttled upload
        // reads the socket as it goes instead: two batches read ahead of the throttle would let the
        // client see its bytes taken faster than its limit.
        const source: AsyncIterable<Uint8Array> = ctx.receiver ?? (ctx.buckets.length > 0 ? socket : new SocketReceiver().attach(socket));
        await pipeline(source, (data: AsyncIterable<Uint8Array>) => sink(through(data)), { signal });
        break;
      }
      case 'list': {
        await pipeline(listingChunks(storage, spec, ctx.user, ctx.now, signal), sendTo(socket, counter), { signal });
        break;
      }
    }
  } catch (err) {
    throw mapError(err);
  }
  return counter.bytes;
}

interface Digester {
  update(chunk: Uint8Array): unknown;
  digest(): string;
}

function digester(algorithm: HashAlgorithm): Digester {
  if (algorithm === 'CRC32') return new Crc32();
  const name = algorithm === 'SHA-256' ? 'sha256' : algorithm === 'SHA-1' ? 'sha1' : 'md5';
  const hash = createHash(name);
  return { update: (c) => hash.update(c), digest: () => hash.digest('hex') };
}

/**
 * HASH (draft-bryan-ftpext-hash): the digest of a file, or of bytes [start, end) of it, streamed
 * so memory stays constant whatever the size. Lower-case hex.
 */
export async function hashFile(
  storage: StorageAdapter,
  path: string,
  algorithm: HashAlgorithm,
  range: { start?: number; end?: number },
  signal?: AbortSignal,
): Promise<string> {
  const d = digester(algorithm);
  const start = range.start ?? 0;
  let remaining = range.end === undefined ? Number.POSITIVE_INFINITY : Math.max(0, range.end - start);
  if (remaining > 0) {
    for await (const chunk of storage.read(path, { start, ...(signal === undefined ? {} : { signal }) })) {
      const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      remaining -= part.length;
      d.update(part);
      if (remaining <= 0) break;
    }
  }
  return d.digest();
}
