import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import type { BenchContext } from './bench-context.js';
import { childScript, track } from './process-utils.js';
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
      const child = track(spawn(process.execPath, [childScript('raw-sender'), String(size)], { stdio: ['ignore', 'pipe', 'inherit'] }));
      const killer = setTimeout(() => { if (child.pid) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } } }, ctx.opts.stepTimeoutMs);
      try {
        const port = await new Promise<number>((resolve, reject) => {
          createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (l) => resolve(Number(l)));
          child.once('close', (code) => reject(new Error(`raw sender exited ${code}`)));
        });
        return await new Promise<Record<string, number>>((resolve, reject) => {
          let bytes = 0;
          let t0 = 0;
          const s = connect({ host: '127.0.0.1', port }, () => { t0 = performance.now(); });
          s.on('data', (b: Buffer) => { bytes += b.length; });
          s.on('end', () => {
            const ms = performance.now() - t0;
            s.destroy();
            if (bytes !== size) reject(new Error(`received ${bytes} bytes, expected ${size}`));
            else resolve({ mbps: mbps(size, ms) });
          });
          s.on('error', reject);
        });
      } finally {
        clearTimeout(killer);
      }
    },
  }], ctx);
  return table;
}
