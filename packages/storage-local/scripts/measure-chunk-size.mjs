#!/usr/bin/env node
// Throughput of localStorage write + read for several chunk sizes (the highWaterMark knob).
// Usage: pnpm --filter @ftpkit/storage-local build && node packages/storage-local/scripts/measure-chunk-size.mjs [MiB]
// Source chunks are 64 KiB, like a socket's; the file goes to the OS temp dir and is removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localStorage } from '../dist/index.js';

const MiB = 1 << 20;
const total = Number(process.argv[2] ?? 512) * MiB;
const block = Buffer.alloc(64 * 1024, 7);

async function* source() {
  for (let sent = 0; sent < total; sent += block.length) yield Buffer.from(block);
}

const sizes = [64 * 1024, 256 * 1024, MiB, 4 * MiB];
const results = new Map(sizes.map((size) => [size, { write: [], read: [] }]));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dir = mkdtempSync(join(tmpdir(), 'ftpkit-measure-'));
try {
  // Sizes interleaved within each round, so a noisy neighbour hurts them all alike.
  for (let round = 0; round < 5; round++) {
    for (const chunkBytes of sizes) {
      const s = localStorage({ root: dir, chunkBytes });
      const w0 = performance.now();
      await s.write('/f.bin', source());
      const w1 = performance.now();
      let n = 0;
      for await (const c of s.read('/f.bin')) n += c.byteLength;
      const r1 = performance.now();
      if (n !== total) throw new Error('short read');
      const r = results.get(chunkBytes);
      r.write.push(total / MiB / ((w1 - w0) / 1000));
      r.read.push(total / MiB / ((r1 - w1) / 1000));
      await s.delete('/f.bin');
    }
  }
  for (const [size, r] of results) {
    console.log(
      `chunk ${String(size / 1024).padStart(5)} KiB: write ${median(r.write).toFixed(0)} MiB/s, read ${median(r.read).toFixed(0)} MiB/s (median of 5, ${total / MiB} MiB, page cache)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
