import { describe, expect, it } from 'vitest';
import { UrgentAbortRepair } from './urgent-abort.js';

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const dec = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('UrgentAbortRepair', () => {
  it('restores the LF taken as urgent data', () => {
    const r = new UrgentAbortRepair();
    expect(dec(r.push(enc('ABOR\r')))).toBe('ABOR\r\n');
    expect(dec(r.push(enc('NOOP\r\n')))).toBe('NOOP\r\n');
    expect(dec(r.push(enc('NOOP\r\nabor\r')))).toBe('NOOP\r\nabor\r\n');
    expect(dec(r.push(enc('\xff\xf4\xff\xf2ABOR\r')))).toBe('\xff\xf4\xff\xf2ABOR\r\n');
  });

  it('drops a late in-band LF once', () => {
    const r = new UrgentAbortRepair();
    r.push(enc('ABOR\r'));
    expect(dec(r.push(enc('\nNOOP\r\n')))).toBe('NOOP\r\n');
    expect(dec(r.push(enc('\n')))).toBe('\n');
  });

  it('leaves everything else alone', () => {
    const r = new UrgentAbortRepair();
    expect(dec(r.push(enc('STOR ABOR\r')))).toBe('STOR ABOR\r');
    expect(dec(r.push(enc('XABOR\r')))).toBe('XABOR\r');
    expect(dec(r.push(enc('ABOR\r\n')))).toBe('ABOR\r\n');
  });
});
