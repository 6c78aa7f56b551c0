/**
 * Upload quotas kept incrementally, one account per user name, shared by all of that user's
 * sessions (like the per-user bandwidth buckets).
 *
 * Theory of operation: an account learns what the user already stores once (the embedder's
 * `usedBytes()` or one walk of the storage), at the first login since the server started. From
 * then on every change is booked as it happens: an upload takes bytes chunk by chunk as they
 * arrive (`reserve`, refused with EDQUOT once the limit would be passed, so parallel uploads can
 * never together go over it); when the upload ends its booking is settled to what storage really
 * holds; DELE, RNTO over a file, MKD and RMD add or give back their share. JavaScript runs one
 * callback at a time, so a check-and-take in `reserve` is atomic across sessions.
 */
import { StorageError, type StorageAdapter } from '@ftpkit/storage';

/** What every directory counts for when {@link LedgerQuota.directoryBytes} is not given (one ext4 block). */
export const DEFAULT_DIRECTORY_BYTES = 4096;

/** Most entries the one-time walk visits; a bigger tree fails the measurement (uploads get 451). */
export const MAX_MEASURED_ENTRIES = 1_000_000;

/** The quota as the account needs it (the same shape as `FtpUser.quota`). */
export interface LedgerQuota {
  limitBytes: number;
  directoryBytes?: number;
  usedBytes?: () => number | Promise<number>;
}

/**
 * Bytes stored under `/` of an adapter: file sizes plus `directoryBytes` per directory (the root
 * itself not counted). One walk, bounded by {@link MAX_MEASURED_ENTRIES}.
 */
export async function measureUsage(storage: StorageAdapter, directoryBytes: number): Promise<number> {
  let total = 0;
  let entries = 0;
  const dirs = ['/'];
  while (dirs.length > 0) {
    const dir = dirs.pop() as string;
    for await (const st of storage.list(dir)) {
      if (++entries > MAX_MEASURED_ENTRIES) throw new StorageError('EIO', `more than ${MAX_MEASURED_ENTRIES} entries to measure for the quota`);
      if (st.type === 'dir') {
        total += directoryBytes;
        dirs.push(st.path);
      } else if (st.type === 'file') {
        total += st.size;
      }
    }
  }
  return total;
}

/** One user's booked usage. Created by {@link QuotaLedger.account}. */
export class QuotaAccount {
  readonly name: string;
  limitBytes: number;
  directoryBytes: number;
  #used = 0;
  #measure: () => Promise<number>;
  #ready: Promise<void> | undefined;
  /** Paths being uploaded now, with how many uploads each (APPE and STOR may overlap before the busy check). */
  readonly #writing = new Map<string, number>();

  constructor(name: string, quota: LedgerQuota, measure: () => Promise<number>) {
    this.name = name;
    this.limitBytes = quota.limitBytes;
    this.directoryBytes = quota.directoryBytes ?? DEFAULT_DIRECTORY_BYTES;
    this.#measure = measure;
  }

  /** Bytes booked now (stored plus reserved by running uploads). */
  get usedBytes(): number {
    return this.#used;
  }

  /**
   * Settles when the initial usage is known. Measured once; a failed measurement is forgotten so
   * the next call tries again (and the operation waiting for it fails with that error).
   */
  ready(): Promise<void> {
    this.#ready ??= this.#measure().then(
      (bytes) => {
        this.#used += Math.max(0, bytes);
      },
      (err: unknown) => {
        this.#ready = undefined;
        throw err;
      },
    );
    return this.#ready;
  }

  /** Take `bytes` or, when that would pass the limit, take nothing and throw EDQUOT. */
  reserve(bytes: number): void {
    if (bytes <= 0) return;
    if (this.#used + bytes > this.limitBytes) throw new StorageError('EDQUOT', `quota of ${this.name} exceeded`);
    this.#used += bytes;
  }

  /** Book a change that already happened (positive or negative); may pass the limit, never goes below 0. */
  adjust(bytes: number): void {
    this.#used = Math.max(0, this.#used + bytes);
  }

  /**
   * True when `path`, or something below it, is being uploaded by this user: deleting or renaming
   * it now would book its bytes twice or not at all.
   */
  busy(path: string): boolean {
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const p of this.#writing.keys()) if (p === path || p.startsWith(prefix)) return true;
    return false;
  }

  /** Mark `path` as being uploaded until the returned function is called. */
  beginWrite(path: string): () => void {
    this.#writing.set(path, (this.#writing.get(path) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.#writing.get(path) ?? 1) - 1;
      if (n <= 0) this.#writing.delete(path);
      else this.#writing.set(path, n);
    };
  }
}

/** The accounts of one server, by user name. */
export class QuotaLedger {
  readonly #accounts = new Map<string, QuotaAccount>();

  /**
   * The account of `name`, made on first use with `measure` as the way to learn the initial usage
   * (unless the quota brings its own `usedBytes`). A later login with another limit or directory
   * cost updates them; what is booked stays.
   */
  account(name: string, quota: LedgerQuota, measure: () => Promise<number>): QuotaAccount {
    // A NaN limit would compare false and let everything through: refuse it (the login fails).
    if (!(Number.isFinite(quota.limitBytes) && quota.limitBytes >= 0)) throw new RangeError(`quota.limitBytes of ${name} must be a finite number >= 0`);
    const dir = quota.directoryBytes;
    if (dir !== undefined && !(Number.isFinite(dir) && dir >= 0)) throw new RangeError(`quota.directoryBytes of ${name} must be a finite number >= 0`);
    let account = this.#accounts.get(name);
    if (account === undefined) {
      const own = quota.usedBytes;
      account = new QuotaAccount(name, quota, own === undefined ? measure : async () => own());
      this.#accounts.set(name, account);
    } else {
      account.limitBytes = quota.limitBytes;
      account.directoryBytes = quota.directoryBytes ?? DEFAULT_DIRECTORY_BYTES;
    }
    return account;
  }

  /** The account of `name`, if one was made. */
  get(name: string): QuotaAccount | undefined {
    return this.#accounts.get(name);
  }
}
