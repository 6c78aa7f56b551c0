import { createHash, randomBytes } from 'node:crypto';

/** Concatenates everything an async iterable of bytes yields. Only for small test files. */
export async function collectBytes(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** Reads a whole (small) file as UTF-8. */
export async function collectText(source: AsyncIterable<Uint8Array>): Promise<string> {
  return (await collectBytes(source)).toString('utf8');
}

/** A source yielding the given chunks as plain `Uint8Array`s (not Buffers), one per turn. */
export async function* chunksOf(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    await Promise.resolve();
    yield typeof part === 'string' ? new Uint8Array(Buffer.from(part, 'utf8')) : part;
  }
}

/** A source that yields `parts` and then fails with `error`, like a data connection reset. */
export async function* failingAfter(
  error: Error,
  ...parts: (string | Uint8Array)[]
): AsyncGenerator<Uint8Array> {
  yield* chunksOf(...parts);
  throw error;
}

/**
 * Deterministic bytes without a whole-file buffer: one random 1 MiB block made once, and each
 * chunk is a fresh copy of it stamped with its index (so reordered or repeated chunks change the
 * hash). Every chunk is a new allocation because adapters may keep a chunk after asking for the
 * next one.
 */
export class PatternSource {
  readonly hash = createHash('sha256');
  private readonly block: Buffer;

  constructor(
    readonly totalBytes: number,
    readonly chunkBytes = 1 << 20,
    seed: Buffer = randomBytes(chunkBytes),
  ) {
    this.block = seed.subarray(0, chunkBytes);
  }

  /** Yields the bytes and feeds them to `hash` as they go. */
  async *chunks(onChunk?: () => void): AsyncGenerator<Uint8Array> {
    let sent = 0;
    for (let index = 0; sent < this.totalBytes; index++) {
      const size = Math.min(this.chunkBytes, this.totalBytes - sent);
      const chunk = Buffer.allocUnsafe(size);
      this.block.copy(chunk, 0, 0, size);
      if (size >= 8) chunk.writeBigUInt64BE(BigInt(index), 0);
      this.hash.update(chunk);
      sent += size;
      onChunk?.();
      yield chunk;
    }
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Hashes a byte stream as it flows, counting bytes; never holds more than one chunk. */
export async function hashStream(
  source: AsyncIterable<Uint8Array>,
  onChunk?: () => void,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    bytes += chunk.byteLength;
    onChunk?.();
  }
  return { bytes, sha256: hash.digest('hex') };
}
