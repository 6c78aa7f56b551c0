import type { StorageAdapter } from '@ftpkit/storage';
import type { PathLockRelease } from './path-locks.js';

/**
 * A RETR's file opened and its first chunk read while its data connection is being accepted
 * (issue 18): the filesystem round trips then overlap the accept and the 150 reply instead of
 * following them. It takes the file's read lock before it reads, as the transfer would, and
 * keeps it until the transfer ends or the read-ahead is dropped; a lock refusal is kept and
 * thrown by {@link take}, so the client still sees it after the 150, as without a read-ahead.
 */
export class ReadAhead {
  readonly path: string;
  readonly offset: number;
  readonly #abort = new AbortController();
  readonly #ready: Promise<void>;
  #release: PathLockRelease | undefined;
  #it: AsyncIterator<Uint8Array> | undefined;
  #first: Promise<IteratorResult<Uint8Array>> | undefined;
  #taken = false;

  constructor(storage: StorageAdapter, path: string, offset: number, lock: (signal: AbortSignal) => Promise<PathLockRelease>) {
    this.path = path;
    this.offset = offset;
    const signal = this.#abort.signal;
    this.#ready = lock(signal).then((release) => {
      if (signal.aborted) {
        release();
        return;
      }
      this.#release = release;
      const it = storage.read(path, { start: offset, signal })[Symbol.asyncIterator]();
      this.#it = it;
      this.#first = it.next();
      this.#first.catch(() => undefined);
    });
    this.#ready.catch(() => undefined);
  }

  /**
   * The file's bytes from the offset (the first chunk as it was read ahead) and the lock to
   * release after the transfer; `signal` (the transfer's) stops the read. Throws what the lock
   * or the first read threw.
   */
  async take(signal: AbortSignal): Promise<{ source: AsyncIterable<Uint8Array>; release: PathLockRelease }> {
    this.#taken = true;
    if (signal.aborted) this.#abort.abort(signal.reason);
    else signal.addEventListener('abort', () => this.#abort.abort(signal.reason), { once: true });
    await this.#ready;
    const it = this.#it as AsyncIterator<Uint8Array>;
    let first = this.#first;
    const release = this.#release as PathLockRelease;
    this.#release = undefined;
    const primed: AsyncIterator<Uint8Array> = {
      next: () => {
        const f = first;
        first = undefined;
        return f ?? it.next();
      },
      return: async (value?: unknown) => {
        // Wait for the read in flight: a generator queues return() behind it anyway.
        await first?.catch(() => undefined);
        return (await it.return?.(value)) ?? { done: true, value: undefined };
      },
    };
    return { source: { [Symbol.asyncIterator]: () => primed }, release };
  }

  /** Not used after all (no transfer, another one, the session ended): stop reading, unlock. */
  drop(): void {
    if (this.#taken) return;
    this.#taken = true;
    this.#abort.abort();
    void this.#ready.then(
      async () => {
        await this.#first?.catch(() => undefined);
        await this.#it?.return?.()?.catch(() => undefined);
      },
      () => undefined,
    ).finally(() => {
      this.#release?.();
      this.#release = undefined;
    });
  }
}
