import { describe, expect, it } from 'vitest';
import { PathLocks, type PathLockMode } from './path-locks.js';

const LONG = { waitMs: 10_000 };

/** Settles pending promise callbacks (the locks grant through promises, never timers). */
const ticks = (): Promise<void> => new Promise((r) => setImmediate(r));

async function granted(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => undefined,
  );
  await ticks();
  return done;
}

describe('PathLocks', () => {
  it.each<[PathLockMode, PathLockMode, boolean]>([
    ['read', 'read', true],
    ['read', 'change', true],
    ['change', 'read', true],
    ['read', 'write', false],
    ['write', 'read', false],
    ['write', 'write', false],
    ['change', 'change', false],
    ['write', 'change', false],
    ['change', 'write', false],
  ])('%s held, %s asked: shared = %s', async (held, asked, shared) => {
    const locks = new PathLocks();
    const release = await locks.acquire(['k'], held, LONG);
    const second = locks.acquire(['k'], asked, LONG);
    expect(await granted(second)).toBe(shared);
    release();
    expect(await granted(second)).toBe(true);
    (await second)();
    expect(locks.size).toBe(0);
  });

  it('a conflicting request fails with EBUSY after waitMs, and at once with waitMs 0', async () => {
    const locks = new PathLocks();
    const release = await locks.acquire(['k'], 'write', LONG);
    await expect(locks.acquire(['k'], 'write', { waitMs: 0 })).rejects.toMatchObject({ name: 'StorageError', code: 'EBUSY' });
    await expect(locks.acquire(['k'], 'read', { waitMs: 30 })).rejects.toMatchObject({ name: 'StorageError', code: 'EBUSY' });
    release();
    expect(locks.size).toBe(0);
  });

  it('an aborted wait rejects with the reason and leaves the queue', async () => {
    const locks = new PathLocks();
    const release = await locks.acquire(['k'], 'write', LONG);
    const stop = new AbortController();
    const waiting = locks.acquire(['k'], 'write', { waitMs: 10_000, signal: stop.signal });
    stop.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    release();
    expect(locks.size).toBe(0);
  });

  it('first come, first served: a reader queued behind a writer does not overtake it', async () => {
    const locks = new PathLocks();
    const reader1 = await locks.acquire(['k'], 'read', LONG);
    const writer = locks.acquire(['k'], 'write', LONG);
    const reader2 = locks.acquire(['k'], 'read', LONG);
    expect(await granted(writer)).toBe(false);
    expect(await granted(reader2)).toBe(false);
    reader1();
    expect(await granted(writer)).toBe(true);
    expect(await granted(reader2)).toBe(false);
    (await writer)();
    expect(await granted(reader2)).toBe(true);
    (await reader2)();
    expect(locks.size).toBe(0);
  });

  it('a reader passes a waiting atomic replacement (it cannot delay it), never a waiting upload in place', async () => {
    const locks = new PathLocks();
    const change = await locks.acquire(['k'], 'change', LONG);
    const waitingChange = locks.acquire(['k'], 'change', LONG);
    const reader = await locks.acquire(['k'], 'read', { waitMs: 0 });
    change();
    (await waitingChange)();
    reader();
    const firstReader = await locks.acquire(['k'], 'read', LONG);
    const waitingWrite = locks.acquire(['k'], 'write', LONG);
    await expect(locks.acquire(['k'], 'read', { waitMs: 0 })).rejects.toMatchObject({ code: 'EBUSY' });
    firstReader();
    (await waitingWrite)();
    expect(locks.size).toBe(0);
  });

  it('takes several keys in one order, and a release is idempotent', async () => {
    const locks = new PathLocks();
    const ab = await locks.acquire(['b', 'a', 'a'], 'change', LONG);
    const ba = locks.acquire(['a', 'b'], 'change', LONG);
    expect(await granted(ba)).toBe(false);
    ab();
    ab();
    const release = await ba;
    await expect(locks.acquire(['b'], 'change', { waitMs: 0 })).rejects.toMatchObject({ code: 'EBUSY' });
    release();
    expect(locks.size).toBe(0);
  });

  it('other keys are independent', async () => {
    const locks = new PathLocks();
    const a = await locks.acquire(['a'], 'write', LONG);
    const b = await locks.acquire(['b'], 'write', { waitMs: 0 });
    a();
    b();
    expect(locks.size).toBe(0);
  });
});
