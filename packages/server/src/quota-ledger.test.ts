import { StorageError } from '@ftpkit/storage';
import { memoryStorage } from '@ftpkit/storage-memory';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DIRECTORY_BYTES, measureUsage, QuotaLedger } from './quota-ledger.js';

async function put(storage: ReturnType<typeof memoryStorage>, path: string, size: number): Promise<void> {
  await storage.write(path, (async function* () {
    yield new Uint8Array(size);
  })());
}

describe('QuotaLedger', () => {
  it('reserve takes bytes up to the limit and refuses the chunk that would pass it (EDQUOT), taking nothing', async () => {
    const account = new QuotaLedger().account('u', { limitBytes: 100, usedBytes: () => 40 }, () => Promise.reject(new Error('not used')));
    await account.ready();
    expect(account.usedBytes).toBe(40);
    account.reserve(60);
    expect(account.usedBytes).toBe(100);
    expect(() => account.reserve(1)).toThrow(expect.objectContaining({ name: 'StorageError', code: 'EDQUOT' }));
    expect(account.usedBytes).toBe(100);
    account.adjust(-30);
    account.reserve(30);
    expect(account.usedBytes).toBe(100);
  });

  it('interleaved reservations of many uploads never pass the limit together', async () => {
    const account = new QuotaLedger().account('u', { limitBytes: 1_000_000, usedBytes: () => 0 }, () => Promise.resolve(0));
    await account.ready();
    const taken = new Array<number>(8).fill(0);
    const refused = new Set<number>();
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 8; i++) {
        if (refused.has(i)) continue;
        try {
          account.reserve(65_536);
          taken[i] = (taken[i] ?? 0) + 65_536;
        } catch (err) {
          expect(err).toBeInstanceOf(StorageError);
          refused.add(i);
        }
      }
    }
    expect(refused.size).toBe(8);
    expect(taken.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1_000_000);
    expect(account.usedBytes).toBe(taken.reduce((a, b) => a + b, 0));
  });

  it('measures once per user name, shared by every later login, and retries a failed measurement', async () => {
    const ledger = new QuotaLedger();
    let calls = 0;
    const measure = async (): Promise<number> => {
      calls++;
      if (calls === 1) throw new StorageError('EIO', 'first walk fails');
      return 500;
    };
    const first = ledger.account('u', { limitBytes: 1000 }, measure);
    await expect(first.ready()).rejects.toMatchObject({ code: 'EIO' });
    await first.ready();
    const again = ledger.account('u', { limitBytes: 2000 }, measure);
    expect(again).toBe(first);
    await Promise.all([again.ready(), again.ready(), first.ready()]);
    expect(calls).toBe(2);
    expect(again.usedBytes).toBe(500);
    expect(again.limitBytes).toBe(2000);
    expect(ledger.account('v', { limitBytes: 1 }, measure)).not.toBe(first);
  });

  it('adjust books what already happened: it may pass the limit but never goes below zero', async () => {
    const account = new QuotaLedger().account('u', { limitBytes: 10, usedBytes: () => 5 }, () => Promise.resolve(0));
    await account.ready();
    account.adjust(20);
    expect(account.usedBytes).toBe(25);
    account.adjust(-100);
    expect(account.usedBytes).toBe(0);
  });

  it('knows which paths are being uploaded, and what lies below a directory being renamed', () => {
    const account = new QuotaLedger().account('u', { limitBytes: 10 }, () => Promise.resolve(0));
    const end = account.beginWrite('/d/e/f.bin');
    expect(account.busy('/d/e/f.bin')).toBe(true);
    expect(account.busy('/d')).toBe(true);
    expect(account.busy('/')).toBe(true);
    expect(account.busy('/d/e/f')).toBe(false);
    expect(account.busy('/d/e/f.bin.tmp')).toBe(false);
    const second = account.beginWrite('/d/e/f.bin');
    end();
    end();
    expect(account.busy('/d/e/f.bin')).toBe(true);
    second();
    expect(account.busy('/d')).toBe(false);
  });

  it('refuses a limit or directory cost that is not a finite number >= 0 (a NaN limit would let everything in)', () => {
    const ledger = new QuotaLedger();
    const measure = (): Promise<number> => Promise.resolve(0);
    expect(() => ledger.account('u', { limitBytes: Number.NaN }, measure)).toThrow(RangeError);
    expect(() => ledger.account('u', { limitBytes: -1 }, measure)).toThrow(RangeError);
    expect(() => ledger.account('u', { limitBytes: 1, directoryBytes: Number.POSITIVE_INFINITY }, measure)).toThrow(RangeError);
  });
});

describe('measureUsage', () => {
  it('adds file sizes and a cost per directory (the root not counted)', async () => {
    const storage = memoryStorage();
    await storage.mkdir('/a');
    await storage.mkdir('/a/b');
    await storage.mkdir('/c');
    await put(storage, '/top.bin', 10);
    await put(storage, '/a/b/deep.bin', 1000);
    expect(await measureUsage(storage, DEFAULT_DIRECTORY_BYTES)).toBe(1010 + 3 * 4096);
    expect(await measureUsage(storage, 0)).toBe(1010);
  });
});
