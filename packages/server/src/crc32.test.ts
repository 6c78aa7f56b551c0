import { describe, expect, it } from 'vitest';
import { Crc32 } from './crc32.js';

describe('Crc32', () => {
  it('matches the standard check value and is incremental', () => {
    const data = new TextEncoder().encode('123456789');
    expect(new Crc32().update(data).digest()).toBe('cbf43926');
    const split = new Crc32();
    for (let i = 0; i < data.length; i++) split.update(data.subarray(i, i + 1));
    expect(split.digest()).toBe('cbf43926');
    expect(new Crc32().digest()).toBe('00000000');
  });
});
