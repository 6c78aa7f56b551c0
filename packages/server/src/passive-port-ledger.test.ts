import { describe, expect, it } from 'vitest';
import { PassivePortLedger, passivePortCap } from './passive-port-ledger.js';

const STALE = 0;
const NOW = 10_000;

describe('PassivePortLedger', () => {
  it('caps ports of sessions waiting past the grace period, per user and per address', () => {
    const ledger = new PassivePortLedger(2, 3, 2_000);
    const a = ledger.hold('alice', '10.0.0.1', STALE, NOW);
    expect(typeof a).toBe('function');
    expect(typeof ledger.hold('alice', '10.0.0.2', STALE, NOW)).toBe('function');
    expect(ledger.hold('alice', '10.0.0.3', STALE, NOW)).toBe('user-cap');
    expect(typeof ledger.hold('bob', '10.0.0.1', STALE, NOW)).toBe('function');
    expect(typeof ledger.hold('carol', '10.0.0.1', STALE, NOW)).toBe('function');
    expect(ledger.hold('dave', '10.0.0.1', STALE, NOW)).toBe('address-cap');
    if (typeof a === 'function') {
      a();
      a();
    }
    expect(typeof ledger.hold('alice', '10.0.0.3', STALE, NOW)).toBe('function');
    expect(ledger.hold('alice', '10.0.0.3', STALE, NOW)).toBe('user-cap');
  });

  it('does not count sessions still within the grace period (a burst of real transfers)', () => {
    const ledger = new PassivePortLedger(2, 2, 2_000);
    for (let i = 0; i < 50; i++) expect(typeof ledger.hold('alice', '10.0.0.1', NOW - 500, NOW)).toBe('function');
    // Once they have waited too long, they count.
    expect(ledger.hold('alice', '10.0.0.9', NOW, NOW + 1_600)).toBe('user-cap');
    expect(ledger.size).toBe(50);
  });

  it('0 means no cap', () => {
    const ledger = new PassivePortLedger(0, 0);
    for (let i = 0; i < 100; i++) expect(typeof ledger.hold('alice', '10.0.0.1', STALE, NOW)).toBe('function');
  });

  it('derives caps from a share of the range, at least 4 ports', () => {
    expect(passivePortCap(25, 4536)).toBe(1134);
    expect(passivePortCap(25, 50)).toBe(12);
    expect(passivePortCap(25, 8)).toBe(4);
    expect(passivePortCap(0, 50)).toBe(0);
  });
});
