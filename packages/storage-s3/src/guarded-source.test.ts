import { describe, expect, it } from 'vitest';
import { guardSource, type ByteCounter } from './guarded-source.js';

async function* stalled(): AsyncGenerator<Uint8Array> {
  yield new Uint8Array(3);
  await new Promise(() => undefined);
}

async function* failing(error: Error): AsyncGenerator<Uint8Array> {
  yield new Uint8Array(2);
  throw error;
}

async function drain(source: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of source) n += chunk.byteLength;
  return n;
}

describe('guardSource', () => {
  it('rejects at once when the signal aborts while the source is stalled, and records it', async () => {
    const controller = new AbortController();
    const counter: ByteCounter = { bytes: 0 };
    const reason = new Error('ABOR');
    const done = drain(guardSource(stalled(), counter, { signal: controller.signal }));
    setTimeout(() => controller.abort(reason), 10);
    await expect(done).rejects.toBe(reason);
    expect(counter).toEqual({ bytes: 3, failure: { error: reason } });
  });

  it("ends cleanly on a source error in 'end' mode, keeping the error for the caller", async () => {
    const counter: ByteCounter = { bytes: 0 };
    const boom = new Error('reset');
    await expect(drain(guardSource(failing(boom), counter, { onFailure: 'end' }))).resolves.toBe(2);
    expect(counter.failure?.error).toBe(boom);
  });

  it('throws a cancel reason without recording it as a source failure', async () => {
    const cancel = new AbortController();
    const counter: ByteCounter = { bytes: 0 };
    const denied = new Error('AccessDenied');
    const done = drain(guardSource(stalled(), counter, { cancel: cancel.signal, onFailure: 'end' }));
    setTimeout(() => cancel.abort(denied), 10);
    await expect(done).rejects.toBe(denied);
    expect(counter.failure).toBeUndefined();
  });

  it('refuses more than maxBytes with EDQUOT, even in end mode', async () => {
    async function* big(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 10; i++) yield new Uint8Array(4);
    }
    const counter: ByteCounter = { bytes: 0 };
    await expect(drain(guardSource(big(), counter, { maxBytes: 10, onFailure: 'end' }))).rejects.toMatchObject({
      code: 'EDQUOT',
    });
    expect(counter.bytes).toBe(8);
  });
});
