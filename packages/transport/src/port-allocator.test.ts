import { describe, expect, it } from 'vitest';
import { PortAllocator } from './port-allocator.js';

describe('PortAllocator', () => {
  it('never hands out a reserved port twice and rotates after release', () => {
    const a = new PortAllocator([5000, 5002]);
    const got = [a.reserve(), a.reserve(), a.reserve()];
    expect(new Set(got)).toEqual(new Set([5000, 5001, 5002]));
    expect(a.reserve()).toBeUndefined();
    a.release(5001);
    expect(a.reserve()).toBe(5001);
    expect(a.inUse).toBe(3);
  });

  it('does not reuse a just-released port while others are free', () => {
    const a = new PortAllocator([6000, 6003]);
    const first = a.reserve();
    expect(first).toBe(6000);
    a.release(6000);
    expect(a.reserve()).toBe(6001);
  });

  it('rejects bad ranges', () => {
    expect(() => new PortAllocator([10, 5])).toThrow(RangeError);
    expect(() => new PortAllocator([0, 70000])).toThrow(RangeError);
  });
});
