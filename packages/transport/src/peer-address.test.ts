import { describe, expect, it } from 'vitest';
import { isIPv4Address, normalizeAddress, sameAddress } from './peer-address.js';

describe('peer addresses', () => {
  it('treats IPv4-mapped IPv6 as IPv4', () => {
    expect(normalizeAddress('::FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(sameAddress('::ffff:127.0.0.1', '127.0.0.1')).toBe(true);
    expect(sameAddress('127.0.0.2', '127.0.0.1')).toBe(false);
    expect(sameAddress(undefined, '127.0.0.1')).toBe(false);
    expect(sameAddress('fe80::1%eth0', 'FE80::1')).toBe(true);
    expect(isIPv4Address('::ffff:10.0.0.1')).toBe(true);
    expect(isIPv4Address('::1')).toBe(false);
  });
});
