import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPassivePortRange, ephemeralPortRange, IANA_EPHEMERAL_RANGE } from './passive-port-range.js';

describe('defaultPassivePortRange', () => {
  it('lies above the Linux default ephemeral range', () => {
    expect(defaultPassivePortRange([32768, 60999])).toEqual([61000, 65535]);
  });

  it('lies below the IANA range used by macOS and Windows', () => {
    expect(defaultPassivePortRange(IANA_EPHEMERAL_RANGE)).toEqual([32768, 49151]);
  });

  it('falls back to every unprivileged port when the ephemeral range leaves no room', () => {
    expect(defaultPassivePortRange([1500, 65000])).toEqual([1024, 65535]);
  });

  it('never overlaps the ephemeral range of this machine', () => {
    const [lo, hi] = ephemeralPortRange();
    const [min, max] = defaultPassivePortRange();
    expect(max < lo || min > hi).toBe(true);
  });

  it('reads the range from the kernel file, and falls back to IANA without it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-ports-'));
    writeFileSync(join(dir, 'range'), '10000\t20000\n');
    expect(ephemeralPortRange(join(dir, 'range'))).toEqual([10000, 20000]);
    expect(ephemeralPortRange(join(dir, 'missing'))).toEqual(IANA_EPHEMERAL_RANGE);
  });
});
