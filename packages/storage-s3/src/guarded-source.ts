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

export interface GuardOptions {
  /** The caller's abort (ABOR, a closed session): a failure of the source, handled per `onFailure`. */
  signal?: AbortSignal;
  /**
   * The storage side failed (a part upload was refused): stop reading at once by throwing the
   * reason. Not recorded as a source failure, so the storage error is what the caller reports.
   */
  cancel?: AbortSignal;
  /** Bytes allowed in total; one more is an `EDQUOT` StorageError. Default unlimited. */
  maxBytes?: number;
  /** What a source failure (error, abort) does: `'throw'` (default) or `'end'` the stream cleanly. */
  onFailure?: 'throw' | 'end';
}

type Interrupt = { from: 'signal' | 'cancel'; error: unknown };

/**
 * Yields `source`'s chunks and counts their bytes. When `signal` or `cancel` aborts it stops at
 * once, even while the source is stalled waiting for the peer: an upload must be able to finish
 * or abort its multipart upload without the data connection's cooperation. The stalled source is
 * told to `return()` but not awaited, since a stalled producer may never settle.
 *
 * On a source error, an abort of `signal` or going over `maxBytes`, the failure is recorded in
 * `counter.failure` and then either thrown (`onFailure: 'throw'`, atomic uploads: the multipart
 * upload is aborted) or turned into a clean end (`'end'`, resumable uploads: what was consumed is
 * stored and the caller rethrows the failure afterwards). Going over `maxBytes` always throws.
 */
export async function* guardSource(
  source: AsyncIterable<Uint8Array>,
  counter: ByteCounter,
  options: GuardOptions = {},
): AsyncGenerator<Uint8Array> {
  const { signal, cancel, maxBytes = Number.MAX_SAFE_INTEGER, onFailure = 'throw' } = options;
  if (cancel?.aborted) throw cancel.reason;
  if (signal?.aborted) {
    const error = abortReason(signal);
    counter.failure = { error };
    throw error;
  }
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let step: IteratorResult<Uint8Array>;
      try {
        step = await nextOrInterrupt(iterator, signal, cancel);
        if (!step.done && counter.bytes + step.value.byteLength > maxBytes) {
          throw new StorageError('EDQUOT', `upload larger than ${maxBytes} bytes (10,000 parts of partSize)`);
        }
      } catch (caught) {
        const interrupt = isInterrupt(caught) ? caught : undefined;
        if (interrupt?.from === 'cancel') throw interrupt.error;
        const error = interrupt ? interrupt.error : caught;
        counter.failure = { error };
        if (onFailure === 'end' && !(error instanceof StorageError)) return;
        throw error;
      }
      if (step.done) {
        finished = true;
        // The source ended cleanly, but that alone is no success: a data connection's EOF looks
        // the same when its client died, and the abort that says so may be one turn behind.
        if (signal !== undefined) {
          await new Promise((resolve) => setImmediate(resolve));
          if (signal.aborted) {
            const error = abortReason(signal);
            counter.failure = { error };
            if (onFailure === 'end') return;
            throw error;
          }
        }
        return;
      }
      counter.bytes += step.value.byteLength;
      yield step.value;
    }
  } finally {
    if (!finished) iterator.return?.()?.catch(() => undefined);
  }
}

/**
 * `iterator.next()`, or a rejection with an `Interrupt` as soon as `signal` or `cancel` aborts.
 * A fresh promise and fresh listeners per call: racing every chunk against one long-lived pending
 * promise would make that promise retain every chunk ever read.
 */
function nextOrInterrupt(
  iterator: AsyncIterator<Uint8Array>,
  signal: AbortSignal | undefined,
  cancel: AbortSignal | undefined,
): Promise<IteratorResult<Uint8Array>> {
  if (cancel?.aborted) return Promise.reject({ from: 'cancel', error: cancel.reason } satisfies Interrupt);
  if (signal?.aborted) return Promise.reject({ from: 'signal', error: abortReason(signal) } satisfies Interrupt);
  const next = iterator.next();
  if (signal === undefined && cancel === undefined) return next;
  return new Promise((resolve, reject) => {
    const onSignal = (): void => reject({ from: 'signal', error: abortReason(signal as AbortSignal) } satisfies Interrupt);
    const onCancel = (): void => reject({ from: 'cancel', error: (cancel as AbortSignal).reason } satisfies Interrupt);
    signal?.addEventListener('abort', onSignal, { once: true });
    cancel?.addEventListener('abort', onCancel, { once: true });
    // The source may have triggered the abort itself while `next()` ran, before these listeners.
    if (cancel?.aborted) onCancel();
    else if (signal?.aborted) onSignal();
    next.then(resolve, reject).finally(() => {
      signal?.removeEventListener('abort', onSignal);
      cancel?.removeEventListener('abort', onCancel);
    });
  });
}

function isInterrupt(value: unknown): value is Interrupt {
  return typeof value === 'object' && value !== null && 'from' in value && 'error' in value && !(value instanceof Error);
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
