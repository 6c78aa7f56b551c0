import { describe, expect, it } from 'vitest';
import { throttle, TokenBucket } from './token-bucket.js';

async function drain(source: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const c of source) n += c.length;
  return n;
}

describe('TokenBucket', () => {
  it('keeps a stream near its rate after the first burst', async () => {
    const bucket = new TokenBucket(200_000);
    async function* src(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 10; i++) yield new Uint8Array(60_000);
    }
    const t0 = Date.now();
    expect(await drain(throttle([bucket])(src()))).toBe(600_000);
    const ms = Date.now() - t0;
    // 600 kB at 200 kB/s with a 200 kB burst: about 2 s.
    expect(ms).toBeGreaterThan(1700);
    expect(ms).toBeLessThan(15_000);
  });

  it('stops waiting when aborted', async () => {
    const bucket = new TokenBucket(1000);
    await bucket.take(16 * 1024);
    const ac = new AbortController();
    const p = bucket.take(10_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});
