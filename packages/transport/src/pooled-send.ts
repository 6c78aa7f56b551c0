import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import type { BufferPool } from './buffer-pool.js';

/**
 * A file's bytes from `start` to its end, read into pooled buffers with one read ahead (the disk
 * works while the consumer sends). Each yielded chunk is a view of a pooled buffer: give it back
 * with `pool.release` once sent (see {@link writeReleasing}), or keep it (then it is collected).
 * The file ends at the first short read.
 */
export async function* readFileChunks(fh: FileHandle, start: number, pool: BufferPool): AsyncGenerator<Buffer> {
  const readAt = (at: number): Promise<Buffer> => {
    const buf = pool.acquire();
    const read = fh.read(buf, 0, buf.length, at).then(({ bytesRead }) => buf.subarray(0, bytesRead));
    read.catch(() => undefined);
    return read;
  };
  let pos = start;
  let next: Promise<Buffer> | undefined = readAt(pos);
  try {
    while (next !== undefined) {
      const chunk = await next;
      next = undefined;
      if (chunk.length === 0) {
        pool.release(chunk);
        return;
      }
      pos += chunk.length;
      if (chunk.length === pool.size) next = readAt(pos);
      yield chunk;
    }
  } finally {
    // Never leave a read running into a buffer the handle's owner may close under it.
    if (next !== undefined) pool.release(await next.catch(() => Buffer.alloc(0)));
  }
}

/**
 * Writes a chunk to a socket and gives its buffer back to `pool` only from the write's callback:
 * until then Node (and TLS, which encrypts from it) may still read it. Waits for 'drain' when the
 * socket asks for it; fails at once on a socket that is closed or errored.
 */
export function writeReleasing(socket: Socket, chunk: Uint8Array, pool: BufferPool): Promise<void> {
  if (socket.destroyed || socket.writableEnded) {
    pool.release(chunk);
    return Promise.reject((socket.errored as Error | null) ?? Object.assign(new Error('data connection closed'), { code: 'ERR_STREAM_DESTROYED' }));
  }
  const ok = socket.write(chunk, () => pool.release(chunk));
  if (ok) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      socket.off('drain', drained);
      socket.off('error', done);
      socket.off('close', closed);
      if (err) reject(err);
      else resolve();
    };
    const drained = (): void => done();
    const closed = (): void => done((socket.errored as Error | null) ?? Object.assign(new Error('data connection closed while writing'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    socket.once('drain', drained);
    socket.once('error', done);
    socket.once('close', closed);
  });
}
