import { FtpClient } from './ftp-client.js';
import type { FtpClientOptions } from './options.js';

/**
 * Up to `size` connections for parallel work. Connections open on first need and are reused;
 * `use(fn)` waits for a free one. A connection whose operation failed with a dropped connection is
 * replaced on its next use (FtpClient reconnects on its own).
 */
export class FtpPool {
  private readonly idle: FtpClient[] = [];
  private readonly all: FtpClient[] = [];
  private readonly waiting: Array<(c: FtpClient) => void> = [];
  private opening = 0;
  private closed = false;

  constructor(
    private readonly connect: () => Promise<FtpClient>,
    readonly size: number,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('pool size must be a positive integer');
  }

  /** A pool that opens connections with the given URL or options. */
  static of(input: string | FtpClientOptions, size: number, extra: Partial<FtpClientOptions> = {}): FtpPool {
    return new FtpPool(() => FtpClient.connect(input, extra), size);
  }

  /** A pool that starts with `first` (owned by the caller: not closed by the pool) and clones it. */
  static from(first: FtpClient, size: number): FtpPool {
    const pool = new FtpPool(() => first.clone(), size);
    pool.idle.push(first);
    pool.borrowed = first;
    return pool;
  }

  private borrowed: FtpClient | undefined;

  private async acquire(): Promise<FtpClient> {
    if (this.closed) throw new Error('the pool is closed');
    const c = this.idle.pop();
    if (c) return c;
    if (this.all.length + this.opening + (this.borrowed ? 1 : 0) < this.size) {
      this.opening++;
      try {
        const client = await this.connect();
        this.all.push(client);
        return client;
      } finally {
        this.opening--;
      }
    }
    return await new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(c: FtpClient): void {
    const w = this.waiting.shift();
    if (w) w(c);
    else this.idle.push(c);
  }

  /** Runs `fn` with a connection of its own. */
  async use<T>(fn: (client: FtpClient) => Promise<T>): Promise<T> {
    const c = await this.acquire();
    try {
      return await fn(c);
    } finally {
      this.release(c);
    }
  }

  /** Runs `fn` for every item with at most `size` in flight; the first error is thrown after all settle. */
  async map<I, T>(items: readonly I[], fn: (client: FtpClient, item: I) => Promise<T>): Promise<T[]> {
    const results: T[] = new Array(items.length);
    let next = 0;
    let firstError: unknown;
    const worker = async (): Promise<void> => {
      while (next < items.length && firstError === undefined) {
        const i = next++;
        try {
          results[i] = await this.use((c) => fn(c, items[i] as I));
        } catch (err) {
          firstError ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.size, items.length) }, worker));
    if (firstError !== undefined) throw firstError;
    return results;
  }

  /** Closes the connections the pool opened. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.all.map((c) => c.close()));
  }
}
