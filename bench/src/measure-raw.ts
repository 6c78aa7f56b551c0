import type { BenchContext } from './bench-context.js';
import { discardFrom, spawnPortChild } from './loopback-stream.js';
import { childScript } from './process-utils.js';
import { mbps, roundRobin, type Table } from './results.js';
import { formatSize } from './report.js';

/**
 * Measurement 6: this machine's ceiling for one loopback TCP stream from Node — a child process
 * sends the bytes from memory, this process discards them; timed from connect to end.
 */
export async function measureRaw(ctx: BenchContext): Promise<Table> {
  const size = ctx.opts.size;
  const table: Table = {
    id: 'raw',
    title: `Raw Node socket sending ${formatSize(size)} from memory to a discarding client (MB/s)`,
    metrics: [{ key: 'mbps', label: 'MB/s', higherIsBetter: true, ratio: false }],
    rows: [],
    notes: [],
  };
  await roundRobin(table, [{
    name: 'node raw socket',
    ftpkit: false,
    run: async () => {
      const sender = await spawnPortChild(childScript('raw-sender'), [String(size)], ctx.opts.stepTimeoutMs);
      try {
        const { bytes, ms } = await discardFrom(sender.port);
        if (bytes !== size) throw new Error(`received ${bytes} bytes, expected ${size}`);
        return { mbps: mbps(size, ms) };
      } finally {
        sender.kill();
      }
    },
  }], ctx);
  return table;
}
