import { describe, expect, it } from 'vitest';
import { FAILED_UPLOAD_MEMORY_MS, FAILED_UPLOADS_MAX, FailedUploads } from './failed-uploads.js';

describe('FailedUploads', () => {
  it('remembers a failure per user and path until it expires or an upload commits', () => {
    const f = new FailedUploads();
    f.record('alice', '/a.bin', 0);
    expect(f.failed('alice', '/a.bin', 1)).toBe(true);
    expect(f.failed('bob', '/a.bin', 1)).toBe(false);
    expect(f.failed('alice', '/b.bin', 1)).toBe(false);
    expect(f.failed('alice', '/a.bin', FAILED_UPLOAD_MEMORY_MS)).toBe(false);
    f.record('alice', '/a.bin', 0);
    f.forget('alice', '/a.bin');
    expect(f.failed('alice', '/a.bin', 1)).toBe(false);
  });

  it('holds at most FAILED_UPLOADS_MAX entries, forgetting the oldest', () => {
    const f = new FailedUploads();
    for (let i = 0; i <= FAILED_UPLOADS_MAX; i++) f.record('u', `/f${i}`, 0);
    expect(f.failed('u', '/f0', 1)).toBe(false);
    expect(f.failed('u', '/f1', 1)).toBe(true);
    expect(f.failed('u', `/f${FAILED_UPLOADS_MAX}`, 1)).toBe(true);
  });
});
