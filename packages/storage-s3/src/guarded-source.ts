import { StorageError } from '@ftpkit/storage';

/** Counts what a guarded source has yielded so far. */
export interface ByteCounter {
  bytes: number;
  /** Set when the source threw, was aborted or went over its limit: what `guardSource` threw. */
  failure?: { error: unknown };
}

/** The error a guarded source throws when its signal aborts. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}

/**
 * Yields `source`'s chunks and counts their bytes. When `signal` aborts it stops at once, even
 * while the source is stalled waiting for the peer: an upload must be able to finish or abort its
 * multipart upload without the data connection's cooperation. The stalled source is told to
 * `return()` but not awaited, since a stalled producer may never settle.
 *
 * On a source error, an abort or going over `maxBytes`, the failure is recorded in
 * `counter.failure` and then either thrown (`onFailure: 'throw'`, atomic uploads: the multipart
 * upload is aborted) or turned into a clean end (`'end'`, resumable uploads: what was consumed is
 * stored and the caller rethrows the failure afterwards).
 */
export async function* guardSource(
  source: AsyncIterable<Uint8Array>,
  counter: ByteCounter,
  signal?: AbortSignal,
  maxBytes = Number.MAX_SAFE_INTEGER,
  onFailure: 'throw' | 'end' = 'throw',
): AsyncGenerator<Uint8Array> {
  if (signal?.aborted) {
    const error = abortReason(signal);
    counter.failure = { error };
    throw error;
  }
  const iterator = source[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted =
    signal === undefined
      ? undefined
      : new Promise<never>((_, reject) => {
          onAbort = () => reject(abortReason(signal));
          signal.addEventListener('abort', onAbort, { once: true });
        });
  aborted?.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      let step: IteratorResult<Uint8Array>;
      try {
        step = await (aborted === undefined ? iterator.next() : Promise.race([iterator.next(), aborted]));
        if (!step.done && counter.bytes + step.value.byteLength > maxBytes) {
          throw new StorageError('EDQUOT', `upload larger than ${maxBytes} bytes (10,000 parts of partSize)`);
        }
      } catch (error) {
        counter.failure = { error };
        if (onFailure === 'end' && !(error instanceof StorageError)) return;
        throw error;
      }
      if (step.done) {
        finished = true;
        return;
      }
      counter.bytes += step.value.byteLength;
      yield step.value;
    }
  } finally {
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    if (!finished) iterator.return?.()?.catch(() => undefined);
  }
}

/** Runs `task` over `items` with at most `limit` at a time; resolves when all settled. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(limit, items.length); w++) {
    workers.push(
      (async () => {
        while (next < items.length) {
          const item = items[next++] as T;
          await task(item);
        }
      })(),
    );
  }
  await Promise.all(workers);
}
