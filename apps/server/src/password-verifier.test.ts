import { describe, expect, it } from 'vitest';
import { dummyPasswordHash, hashPassword, parsePasswordHash } from './password-hash.js';
import { createPasswordVerifier } from './password-verifier.js';

describe('createPasswordVerifier', () => {
  it('tells a match from a mismatch; a malformed hash is a mismatch', async () => {
    const verifier = createPasswordVerifier({ threads: 1 });
    try {
      const hash = await hashPassword('right');
      expect(await verifier.verify('right', hash)).toBe('match');
      expect(await verifier.verify('wrong', hash)).toBe('mismatch');
      expect(await verifier.verify('right', 'scrypt$1$2$3$$')).toBe('mismatch');
    } finally {
      await verifier.close();
    }
  });

  it('answers busy at once, unhashed, beyond the queue, and checks the others', async () => {
    const verifier = createPasswordVerifier({ threads: 1, maxQueued: 2 });
    try {
      const hash = await hashPassword('right');
      const checks = Array.from({ length: 6 }, (_, i) => verifier.verify(i === 2 ? 'right' : 'wrong', hash));
      expect(verifier.pending).toBe(3);
      expect(await Promise.all(checks)).toEqual(['mismatch', 'mismatch', 'match', 'busy', 'busy', 'busy']);
      expect(verifier.pending).toBe(0);
      expect(await verifier.verify('right', hash)).toBe('match');
    } finally {
      await verifier.close();
    }
  });

  it('close answers waiting checks busy; a later check starts a thread again', async () => {
    const verifier = createPasswordVerifier({ threads: 1, maxQueued: 4 });
    const hash = await hashPassword('right');
    const checks = [verifier.verify('wrong', hash), verifier.verify('right', hash)];
    await verifier.close();
    expect(await Promise.all(checks)).toEqual(['busy', 'busy']);
    expect(await verifier.verify('right', hash)).toBe('match');
    await verifier.close();
  });
});

describe('dummyPasswordHash', () => {
  it('has the cost parameters and key length of the hash it is like (default: hashPassword’s), and matches nothing', async () => {
    const like = 'scrypt$1024$4$1$c2FsdHNhbHRzYWx0$' + Buffer.alloc(24, 1).toString('base64');
    const dummy = parsePasswordHash(dummyPasswordHash(like));
    expect(dummy).toMatchObject({ N: 1024, r: 4, p: 1 });
    expect(dummy?.key.length).toBe(24);
    const standard = parsePasswordHash(await hashPassword('x'));
    expect(parsePasswordHash(dummyPasswordHash())).toMatchObject({ N: standard?.N, r: standard?.r, p: standard?.p });
    const verifier = createPasswordVerifier();
    try {
      expect(await verifier.verify('', dummyPasswordHash())).toBe('mismatch');
    } finally {
      await verifier.close();
    }
  });
});
