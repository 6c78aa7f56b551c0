import type { Socket } from '@ftpkit/transport';
import type { Writable } from 'node:stream';
import { FtpConnectionError } from '../errors.js';

type Sink = Writable | Socket;

/**
 * Writes one chunk and waits for 'drain' when the stream asks for it. A stream that is already
 * destroyed or errored fails at once: its 'close' and 'error' have been emitted and would never
 * come again to wake the wait.
 */
export async function writeTo(stream: Sink, chunk: Buffer | Uint8Array | string): Promise<void> {
  if (stream.destroyed || stream.errored) throw stream.errored ?? new FtpConnectionError('the stream was closed before writing');
  if (stream.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      stream.off('drain', ok);
      stream.off('error', done);
      stream.off('close', closed);
      if (err) reject(err);
      else resolve();
    };
    const ok = (): void => done();
    const closed = (): void => done(new FtpConnectionError('the stream closed while writing'));
    stream.once('drain', ok);
    stream.once('error', done);
    stream.once('close', closed);
  });
}

/**
 * Ends a stream and waits until everything written was flushed ('finish'). Fails instead of
 * waiting forever when the stream is, or gets, destroyed first: `end()`'s callback never runs then.
 */
export async function endStream(stream: Sink): Promise<void> {
  if (stream.writableFinished) return;
  if (stream.destroyed || stream.errored) throw stream.errored ?? new FtpConnectionError('the stream was closed before it ended');
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error | null): void => {
      stream.off('error', done);
      stream.off('close', closed);
      if (err) reject(err);
      else resolve();
    };
    const closed = (): void => done(stream.writableFinished ? undefined : new FtpConnectionError('the stream closed before it ended'));
    stream.once('error', done);
    stream.once('close', closed);
    stream.end(() => done());
  });
}

/** Resolves once the stream has released its resources ('close'), e.g. a file's descriptor. */
export async function closed(stream: Writable): Promise<void> {
  if (stream.closed) return;
  await new Promise<void>((resolve) => stream.once('close', () => resolve()));
}
