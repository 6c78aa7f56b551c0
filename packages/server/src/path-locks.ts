import { StorageError } from '@ftpkit/storage';

/**
 * What a holder does to a path:
 * - `read`: RETR, HASH — reads the bytes.
 * - `write`: an upload written in place (resumable STOR/APPE/STOU): readers would see it half done.
 * - `change`: replaces or removes the file in one step (atomic upload, DELE, RNFR/RNTO): readers
 *   see the old or the new file, never a mix, so they may go on.
 */
export type PathLockMode = 'read' | 'write' | 'change';

/** read×read and read×change share a path; every other pair waits (see docs/production.md). */
function compatible(a: PathLockMode, b: PathLockMode): boolean {
  if (a === 'read') return b !== 'write';
  if (b === 'read') return a !== 'write';
  return false;
}

interface Waiter {
  mode: PathLockMode;
  grant: () => void;
}

interface Entry {
  holders: PathLockMode[];
  waiters: Waiter[];
}

/** Releases a lock; a second call does nothing. */
export type PathLockRelease = () => void;

/** How long to wait and what ends the wait. */
export interface PathLockWait {
  /** Longest wait for a conflicting holder, ms; 0 = do not wait. Then `StorageError('EBUSY')`. */
  waitMs: number;
  /** Aborting it ends the wait with the signal's reason (connection closed, ABOR). */
  signal?: AbortSignal;
}

/**
 * Per-path locks of one server, in memory (like vsftpd's `lock_upload_files`: a write lock for
 * uploads, a shared lock for downloads), keyed by `lockKeyOf(storage, path)` so per-user adapters
 * over the same files meet on the same key.
 *
 * Theory of operation: a request is granted at once when it is compatible with every holder and
 * with every request already waiting (so a stream of readers cannot starve a writer). Otherwise
 * it queues; each release grants, in queue order, every waiter compatible with the holders and
 * with the waiters before it. A waiter gives up after `waitMs`
 * (`EBUSY`, which the session answers 450) or when its signal aborts. Entries are dropped when
 * free, so memory follows the paths in use. They cover one process: several servers on one
 * store (S3 behind a load balancer) do not see each other's locks.
 */
export class PathLocks {
  readonly #entries = new Map<string, Entry>();

  /** Number of paths held or waited for (for tests and the console). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Take `mode` on every key (deduplicated; in sorted order so two multi-key requests cannot
   * deadlock). Resolves with one release for all of them.
   */
  async acquire(keys: readonly string[], mode: PathLockMode, wait: PathLockWait): Promise<PathLockRelease> {
    const releases: PathLockRelease[] = [];
    const all = (): void => {
      for (const r of releases.splice(0)) r();
    };
    try {
      for (const key of [...new Set(keys)].sort()) releases.push(await this.#acquireOne(key, mode, wait));
    } catch (err) {
      all();
      throw err;
    }
    return all;
  }

  #acquireOne(key: string, mode: PathLockMode, wait: PathLockWait): Promise<PathLockRelease> {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { holders: [], waiters: [] };
      this.#entries.set(key, entry);
    }
    const e = entry;
    const release = this.#releaser(key, e, mode);
    if (fits(mode, e.holders, e.waiters)) {
      e.holders.push(mode);
      return Promise.resolve(release);
    }
    if (wait.waitMs <= 0 || wait.signal?.aborted === true) {
      this.#dropIfFree(key, e);
      return Promise.reject(wait.signal?.aborted === true ? abortReason(wait.signal) : busy(key));
    }
    return new Promise<PathLockRelease>((resolve, reject) => {
      const waiter: Waiter = {
        mode,
        grant: () => {
          stop();
          resolve(release);
        },
      };
      const giveUp = (error: unknown): void => {
        stop();
        const at = e.waiters.indexOf(waiter);
        if (at >= 0) e.waiters.splice(at, 1);
        // Leaving may unblock those queued behind this waiter.
        this.#grant(e);
        this.#dropIfFree(key, e);
        reject(error);
      };
      const timer = setTimeout(() => giveUp(busy(key)), wait.waitMs);
      const onAbort = (): void => giveUp(abortReason(wait.signal));
      wait.signal?.addEventListener('abort', onAbort, { once: true });
      function stop(): void {
        clearTimeout(timer);
        wait.signal?.removeEventListener('abort', onAbort);
      }
      e.waiters.push(waiter);
    });
  }

  #releaser(key: string, e: Entry, mode: PathLockMode): PathLockRelease {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const at = e.holders.indexOf(mode);
      if (at >= 0) e.holders.splice(at, 1);
      this.#grant(e);
      this.#dropIfFree(key, e);
    };
  }

  /** Grant, in queue order, every waiter that fits. */
  #grant(e: Entry): void {
    for (let i = 0; i < e.waiters.length; ) {
      const w = e.waiters[i]!;
      if (fits(w.mode, e.holders, e.waiters.slice(0, i))) {
        e.waiters.splice(i, 1);
        e.holders.push(w.mode);
        w.grant();
      } else {
        i++;
      }
    }
  }

  #dropIfFree(key: string, e: Entry): void {
    if (e.holders.length === 0 && e.waiters.length === 0 && this.#entries.get(key) === e) this.#entries.delete(key);
  }
}

/**
 * A request may start when it is compatible with every holder and with every waiter queued before
 * it: it may pass a waiter it cannot delay (a reader passes an atomic upload waiting for another),
 * never one it would block (a reader never passes a waiting upload in place: no writer starves).
 */
function fits(mode: PathLockMode, holders: readonly PathLockMode[], ahead: readonly Waiter[]): boolean {
  return holders.every((h) => compatible(h, mode)) && ahead.every((w) => compatible(w.mode, mode));
}

function busy(key: string): StorageError {
  return new StorageError('EBUSY', `in use by another transfer: ${key}`);
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new StorageError('EBUSY', 'wait for a path lock aborted');
}
