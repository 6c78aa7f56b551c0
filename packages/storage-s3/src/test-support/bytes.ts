import { createHash } from 'node:crypto';

/** Deterministic pseudo-random bytes of `size` for byte `offset` onward (pure function of position). */
export function patternBytes(offset: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) {
    const n = offset + i;
    out[i] = (n * 2654435761 + (n >>> 8) * 40503 + (n >>> 16)) & 0xff;
  }
  return out;
}

/** A source of `total` pattern bytes starting at `from`, in fresh chunks of `chunk` bytes. */
export async function* patternSource(total: number, chunk = 1 << 20, from = 0): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < total; sent += chunk) {
    yield patternBytes(from + sent, Math.min(chunk, total - sent));
  }
}

/** A source yielding `parts` then failing with `error` (a broken data connection). */
export async function* failingSource(error: Error, ...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    await Promise.resolve();
    yield part;
  }
  throw error;
}

/** A source yielding `parts` then waiting forever (a peer that stopped sending). */
export async function* stalledSource(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
  await new Promise(() => undefined);
}

export async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part) : part;
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

export async function sha256Of(source: AsyncIterable<Uint8Array>): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { bytes, sha256: hash.digest('hex') };
}
