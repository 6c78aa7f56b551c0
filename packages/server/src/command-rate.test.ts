import { describe, expect, it } from 'vitest';
import { CommandRate, countLines } from './command-rate.js';

describe('CommandRate', () => {
  it('lets a burst through, then spaces commands at the rate', () => {
    let t = 0;
    const r = new CommandRate(10, () => t);
    for (let i = 0; i < 50; i++) expect(r.delayFor(1)).toBe(0);
    expect(r.delayFor(1)).toBe(100);
    t += 1000;
    expect(r.delayFor(5)).toBe(0);
    expect(r.delayFor(0)).toBe(0);
  });

  it('does not hold back one chunk bigger than the burst', () => {
    const r = new CommandRate(10, () => 0);
    expect(r.delayFor(1000)).toBe(0);
    expect(r.delayFor(1)).toBe(100);
  });

  it('counts lines', () => {
    expect(countLines(new TextEncoder().encode('A\r\nB\nC'))).toBe(2);
  });
});
