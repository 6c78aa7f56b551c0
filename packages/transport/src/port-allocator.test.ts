import { describe, expect, it } from 'vitest';
import { PortAllocator } from './port-allocator.js';

describe('PortAllocator', () => {
  it('never hands out a reserved port twice, and refuses when the range is full', () => {
    const a = new PortAllocator([5000, 5002]);
    const got = [a.reserve(), a.reserve(), a.reserve()];
    expect(new Set(got)).toEqual(new Set([5000, 5001, 5002]));
    expect(a.reserve()).toBeUndefined();
    a.release(5001);
    expect(a.reserve()).toBe(5001);
    expect(a.inUse).toBe(3);
  });

  it('chooses ports at random: 50 reservations are neither consecutive nor monotonic', () => {
    const a = new PortAllocator([20000, 29999]);
    const ports: number[] = [];
    for (let i = 0; i < 50; i++) {
      const p = a.reserve();
      expect(p).toBeDefined();
      ports.push(p!);
      a.release(p!);
    }
    const steps = ports.slice(1).map((p, i) => p - ports[i]!);
    expect(steps.filter((d) => d === 1).length).toBeLessThan(5);
    expect(steps.some((d) => d > 0)).toBe(true);
    expect(steps.some((d) => d < 0)).toBe(true);
    expect(new Set(ports).size).toBeGreaterThan(45);
  });

  it('does not reuse a just-released port while others are free', () => {
    const a = new PortAllocator([6000, 6003]);
    for (let i = 0; i < 40; i++) {
      const p = a.reserve()!;
      a.release(p);
      const next = a.reserve()!;
      expect(next).not.toBe(p);
      a.release(next);
    }
  });

  it('finds the last free port of a nearly full range', () => {
    const a = new PortAllocator([7000, 7999]);
    for (let i = 0; i < 999; i++) expect(a.reserve()).toBeDefined();
    const last = a.reserve();
    expect(last).toBeGreaterThanOrEqual(7000);
    expect(a.reserve()).toBeUndefined();
  });

  it('rejects bad ranges', () => {
    expect(() => new PortAllocator([10, 5])).toThrow(RangeError);
    expect(() => new PortAllocator([0, 70000])).toThrow(RangeError);
  });
});
