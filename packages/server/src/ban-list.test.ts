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

  it('never forgets an active ban to make room; forgets the oldest address without a ban instead', () => {
    let t = 0;
    const b = createMemoryBanList({ maxFailures: 3, banMs: 1000, maxEntries: 100, now: () => t });
    for (let i = 0; i < 3; i++) b.recordFailure('10.0.0.1');
    expect(b.isBanned('10.0.0.1')).toBe(true);
    b.recordFailure('10.0.0.2');
    b.recordFailure('10.0.0.2');
    // 10 050 failures from other addresses (the attack) fill the table many times over.
    for (let i = 0; i < 10_050; i++) b.recordFailure(`10.1.${i >> 8}.${i & 255}`);
    expect(b.isBanned('10.0.0.1')).toBe(true);
    expect(b.beginAttempt?.('10.0.0.1')).toBe(false);
    // 10.0.0.2 was forgotten (two failures): it starts over, and three more ban it.
    b.recordFailure('10.0.0.2');
    b.recordFailure('10.0.0.2');
    expect(b.isBanned('10.0.0.2')).toBe(false);
    b.recordFailure('10.0.0.2');
    expect(b.isBanned('10.0.0.2')).toBe(true);
    t = 1001;
    expect(b.isBanned('10.0.0.1')).toBe(false);
  });

  it('keeps every ban while thousands of addresses are banned, each until its own end', () => {
    let t = 0;
    const b = createMemoryBanList({ maxFailures: 1, banMs: 1000, maxEntries: 10, now: () => t });
    for (let i = 0; i < 5000; i++) {
      t = i / 10;
      b.recordFailure(`10.2.${i >> 8}.${i & 255}`);
    }
    expect(b.isBanned('10.2.0.0')).toBe(true);
    expect(b.isBanned('10.2.19.135')).toBe(true);
    t = 1000.05;
    expect(b.isBanned('10.2.0.0')).toBe(false);
    expect(b.isBanned('10.2.0.1')).toBe(true);
  });

  it('counts an attempt when it begins: at most maxFailures concurrent attempts are let through', () => {
    const b = createMemoryBanList({ maxFailures: 10 });
    const begun = Array.from({ length: 16 }, () => b.beginAttempt?.('1.2.3.4'));
    expect(begun.filter((x) => x === true)).toHaveLength(10);
    expect(begun.slice(10).every((x) => x === false)).toBe(true);
    for (let i = 0; i < 9; i++) b.recordFailure('1.2.3.4');
    expect(b.isBanned('1.2.3.4')).toBe(false);
    expect(b.beginAttempt?.('1.2.3.4')).toBe(false);
    b.recordFailure('1.2.3.4');
    expect(b.isBanned('1.2.3.4')).toBe(true);
    expect(b.beginAttempt?.('5.6.7.8')).toBe(true);
  });

  it('a cancelled attempt (login store unavailable) frees its slot and neither counts nor forgets failures', () => {
    const b = createMemoryBanList({ maxFailures: 2 });
    expect(b.beginAttempt?.('c')).toBe(true);
    b.recordFailure('c');
    for (let i = 0; i < 20; i++) {
      expect(b.beginAttempt?.('c')).toBe(true);
      b.cancelAttempt?.('c');
    }
    expect(b.isBanned('c')).toBe(false);
    expect(b.beginAttempt?.('c')).toBe(true);
    b.recordFailure('c');
    expect(b.isBanned('c')).toBe(true);
  });

  it('a success ends its attempt and forgets the failures; attempts still under way keep counting', () => {
    const b = createMemoryBanList({ maxFailures: 3 });
    expect(b.beginAttempt?.('a')).toBe(true);
    expect(b.beginAttempt?.('a')).toBe(true);
    b.recordFailure('a');
    b.recordSuccess('a');
    expect(b.beginAttempt?.('a')).toBe(true);
    expect(b.beginAttempt?.('a')).toBe(true);
    expect(b.beginAttempt?.('a')).toBe(true);
    expect(b.beginAttempt?.('a')).toBe(false);
    b.recordFailure('a');
    b.recordFailure('a');
    b.recordFailure('a');
    expect(b.isBanned('a')).toBe(true);
  });

  it('an attempt under way is not forgotten to make room', () => {
    const b = createMemoryBanList({ maxFailures: 2, maxEntries: 2 });
    expect(b.beginAttempt?.('10.0.0.1')).toBe(true);
    expect(b.beginAttempt?.('10.0.0.1')).toBe(true);
    for (let i = 0; i < 100; i++) b.recordFailure(`10.3.0.${i}`);
    expect(b.beginAttempt?.('10.0.0.1')).toBe(false);
    b.recordFailure('10.0.0.1');
    b.recordFailure('10.0.0.1');
    expect(b.isBanned('10.0.0.1')).toBe(true);
  });

  it('counts IPv6 addresses per /64 and IPv4-mapped addresses as IPv4', () => {
    const b = createMemoryBanList({ maxFailures: 3 });
    b.recordFailure('2001:db8:1:2::1');
    b.recordFailure('2001:db8:1:2:ffff:ffff:ffff:fffe');
    b.recordFailure('2001:0db8:0001:0002:abcd::9%eth0');
    expect(b.isBanned('2001:db8:1:2::77')).toBe(true);
    expect(b.isBanned('2001:db8:1:3::1')).toBe(false);
    b.recordFailure('::ffff:192.0.2.1');
    b.recordFailure('192.0.2.1');
    b.recordFailure('::ffff:192.0.2.1');
    expect(b.isBanned('192.0.2.1')).toBe(true);
    expect(b.isBanned('192.0.2.2')).toBe(false);
  });
});
