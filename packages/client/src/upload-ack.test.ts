import { describe, expect, it } from 'vitest';
import { UPLOAD_MAX_WINDOW, UploadAckEstimate } from './upload-ack.js';

const MiB = 1024 * 1024;

describe('UploadAckEstimate', () => {
  it('counts nothing while writes go straight into empty buffers; all of it with the 226', () => {
    const e = new UploadAckEstimate();
    let counted = 0;
    for (let i = 0; i < 4; i++) counted += e.wrote(MiB, 1);
    expect(counted).toBe(0);
    expect(e.confirmed()).toBe(4 * MiB);
    expect(e.confirmed()).toBe(0);
  });

  it('takes the bytes written before the first waiting write as the buffers, and lags by them', () => {
    // A server reading 1 MiB/s behind 3 MiB of buffers: three instant writes, then each waits a second.
    const e = new UploadAckEstimate();
    const counts = [e.wrote(MiB, 1), e.wrote(MiB, 0), e.wrote(MiB, 1)];
    for (let i = 0; i < 5; i++) counts.push(e.wrote(MiB, 1000));
    expect(counts).toEqual([0, 0, 0, MiB, MiB, MiB, MiB, MiB]);
    expect(e.confirmed()).toBe(3 * MiB);
  });

  it('widens the window when a write finds room again (the buffers grew): lags, never leads', () => {
    const e = new UploadAckEstimate();
    // Window 1 MiB: of the 2 MiB written, the first counts.
    expect(e.wrote(MiB, 1) + e.wrote(MiB, 500)).toBe(MiB);
    // An instant write widens it to 2 MiB and counts nothing new.
    expect(e.wrote(MiB, 2)).toBe(0);
    expect(e.wrote(MiB, 500)).toBe(MiB);
    expect(e.wrote(MiB, 500)).toBe(MiB);
  });

  it('a first write that waits (tiny buffers) counts each chunk once the next one was taken', () => {
    const e = new UploadAckEstimate();
    expect([e.wrote(100, 80), e.wrote(200, 80), e.wrote(300, 80)]).toEqual([0, 100, 200]);
    expect(e.confirmed()).toBe(300);
  });

  it('never holds back more than the largest window (plus the newest chunk) on a path that never waits', () => {
    const e = new UploadAckEstimate();
    let counted = 0;
    const total = 40 * MiB;
    for (let i = 0; i < 40; i++) counted += e.wrote(MiB, 0);
    expect(total - counted).toBeLessThanOrEqual(UPLOAD_MAX_WINDOW + MiB);
    expect(counted + e.confirmed()).toBe(total);
  });
});
