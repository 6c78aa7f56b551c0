import type { FileStat, StorageAdapter } from '@ftpkit/storage';
import type { PathLockRelease } from './path-locks.js';

/**
 * A RETR's file opened and its first chunk read ahead of the transfer (issue 18): started by
 * RETR's stat where the storage can open for reading (`openRead`: one open for the facts and the
 * bytes), else by the open-data that follows it; the filesystem round trips then overlap the
 * accept and the 150 reply instead of following them. It takes the file's read lock before it
 * opens, as the transfer would, and keeps it until the transfer ends or the read-ahead is
 * dropped; a lock refusal is kept and thrown by {@link take}, so the client still sees it after
 * the 150, as without a read-ahead.
 */
export class ReadAhead {
  readonly path: string;
  readonly offset: number;
  readonly #abort = new AbortController();
  /** Settles once the lock is held and the read started; rejects with what the lock or the open threw. */
  readonly #ready: Promise<void>;
  /** What the lock threw, told apart from what the open threw. */
  #lockError: unknown;
  #release: PathLockRelease | undefined;
  #it: AsyncIterator<Uint8Array> | undefined;
  #first: Promise<IteratorResult<Uint8Array>> | undefined;
  /** The opened file's facts (storage with `openRead`). */
  #stat: FileStat | undefined;
  #taken = false;

  constructor(storage: StorageAdapter, path: string, offset: number, lock: (signal: AbortSignal) => Promise<PathLockRelease>) {
    this.path = path;
    this.offset = offset;
    const signal = this.#abort.signal;
    const locked = lock(signal).catch((err: unknown) => {
      this.#lockError = err;
      throw err;
    });
    this.#ready = locked.then(async (release) => {
      if (signal.aborted) {
        release();
        return;
      }
      this.#release = release;
      if (storage.openRead !== undefined) {
        // The adapter has begun reading the first chunk by the time it tells the facts.
        const opened = await storage.openRead(path, { start: offset, signal });
        this.#stat = opened.stat;
        this.#it = opened.chunks;
        return;
      }
      const it = storage.read(path, { start: offset, signal })[Symbol.asyncIterator]();
      this.#it = it;
      this.#first = it.next();
      this.#first.catch(() => undefined);
    });
    this.#ready.catch(() => undefined);
  }

  /**
   * The facts for RETR's checks and its 150: those of the file opened for this read where the
   * storage opens for reading, else a `stat` of the path. Throws what the open threw (ENOENT,
   * EISDIR, ...); a lock refusal is left to {@link take}.
   */
  async facts(storage: StorageAdapter): Promise<FileStat> {
    try {
      await this.#ready;
    } catch (err) {
      if (err !== this.#lockError) throw err;
    }
    return this.#stat ?? storage.stat(this.path);
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
