import { describe, expect, it } from 'vitest';
import { hashPassword, isPasswordHash, verifyPassword } from './password-hash.js';

describe('password hashes', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const a = await hashPassword('s3cret:with colon');
    const b = await hashPassword('s3cret:with colon');
    expect(a).not.toBe(b);
    expect(isPasswordHash(a)).toBe(true);
    expect(await verifyPassword('s3cret:with colon', a)).toBe(true);
    expect(await verifyPassword('s3cret', a)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1$2$3$$')).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
  });
});
