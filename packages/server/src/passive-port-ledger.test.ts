import { describe, expect, it } from 'vitest';
import { PassivePortLedger, passivePortCap } from './passive-port-ledger.js';

describe('PassivePortLedger', () => {
  it('caps ports per user and per address, and gives them back on release', () => {
    const ledger = new PassivePortLedger(2, 3);
    const a = ledger.hold('alice', '10.0.0.1');
    const b = ledger.hold('alice', '10.0.0.2');
    expect(typeof a).toBe('function');
    expect(typeof b).toBe('function');
    expect(ledger.hold('alice', '10.0.0.3')).toBe('user-cap');
    expect(typeof ledger.hold('bob', '10.0.0.1')).toBe('function');
    expect(typeof ledger.hold('carol', '10.0.0.1')).toBe('function');
    expect(ledger.hold('dave', '10.0.0.1')).toBe('address-cap');
    if (typeof a === 'function') {
      a();
      a();
    }
    expect(typeof ledger.hold('alice', '10.0.0.3')).toBe('function');
    expect(ledger.hold('alice', '10.0.0.3')).toBe('user-cap');
  });

  it('0 means no cap', () => {
    const ledger = new PassivePortLedger(0, 0);
    for (let i = 0; i < 100; i++) expect(typeof ledger.hold('alice', '10.0.0.1')).toBe('function');
  });

  it('derives caps from a share of the range, at least 4 ports', () => {
    expect(passivePortCap(25, 4536)).toBe(1134);
    expect(passivePortCap(25, 50)).toBe(12);
    expect(passivePortCap(25, 8)).toBe(4);
    expect(passivePortCap(0, 50)).toBe(0);
  });
});
