import { describe, expect, it } from 'vitest';
import { createMemoryBanList } from './ban-list.js';

describe('createMemoryBanList', () => {
  it('bans after maxFailures within the window, for banMs', () => {
    let t = 0;
    const b = createMemoryBanList({ maxFailures: 3, banMs: 1000, now: () => t });
    b.recordFailure('1.1.1.1');
    b.recordFailure('1.1.1.1');
    expect(b.isBanned('1.1.1.1')).toBe(false);
    b.recordFailure('1.1.1.1');
    expect(b.isBanned('1.1.1.1')).toBe(true);
    expect(b.isBanned('2.2.2.2')).toBe(false);
    t = 999;
    b.recordSuccess('1.1.1.1');
    expect(b.isBanned('1.1.1.1')).toBe(true);
    t = 1001;
    expect(b.isBanned('1.1.1.1')).toBe(false);
  });

  it('forgets failures older than the window and after a success', () => {
    let t = 0;
    const b = createMemoryBanList({ maxFailures: 2, banMs: 100, now: () => t });
    b.recordFailure('a');
    t = 500;
    b.recordFailure('a');
    expect(b.isBanned('a')).toBe(false);
    b.recordSuccess('a');
    b.recordFailure('a');
    expect(b.isBanned('a')).toBe(false);
  });

  it('keeps at most maxEntries addresses', () => {
    const b = createMemoryBanList({ maxFailures: 1, maxEntries: 2 });
    b.recordFailure('a');
    b.recordFailure('b');
    b.recordFailure('c');
    expect(b.isBanned('a')).toBe(false);
    expect(b.isBanned('c')).toBe(true);
  });
});
