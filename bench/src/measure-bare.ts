import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from './bench-context.js';
import { discardFrom, spawnPortChild } from './loopback-stream.js';
import { childScript, runTimed } from './process-utils.js';
import { mbps, roundRobin, type Subject, type Table } from './results.js';
import { BARE_RECEIVE, BARE_SEND, formatSize } from './report.js';

/**
 * The bare Node loops (issue 19): what Node itself reaches for each bulk direction on this machine,
 * with the big file, in the same run as the servers. socket → file: a child reads a loopback
 * socket (fed from memory by the raw sender) with `onread` into reused batches and writes ~1 MiB
 * batches to a tmpfs file, one write in flight — the ceiling of server STOR and client download.
 * file → socket: a child reads the big file into a pool of reused buffers and sends it to this
 * process, which discards it with `onread` — the ceiling of server RETR and client upload.
 */
export async function measureBare(ctx: BenchContext): Promise<Table> {
  const size = ctx.opts.size;
  const timeout = ctx.opts.stepTimeoutMs;
  const table: Table = {
    id: 'bare',
    title: `Bare Node loops moving ${formatSize(size)} between a loopback socket and a tmpfs file (MB/s, higher is better)`,
    metrics: [{ key: 'mbps', label: 'MB/s', higherIsBetter: true, ratio: false }],
    rows: [],
    notes: [
      `${BARE_RECEIVE}: bench/src/children/bare-socket-to-file.ts, fed by raw-sender (from memory); timed in the receiving child from connect to the file closed.`,
      `${BARE_SEND}: bench/src/children/bare-file-to-socket.ts, read by a discarding onread client; timed from connect to the end of the stream.`,
      'No FTP, no process start in the timing: the ceiling each ftpkit direction is compared with (targets: ≥ 0.9x).',
    ],
  };
  const receive: Subject = {
    name: BARE_RECEIVE,
    ftpkit: false,
    run: async () => {
      const local = join(ctx.data.downloads, 'bare-socket-to-file.bin');
      const sender = await spawnPortChild(childScript('raw-sender'), [String(size)], timeout);
      try {
        const r = await runTimed(process.execPath, [childScript('bare-socket-to-file'), String(sender.port), local], { timeoutMs: timeout });
        if (!r.ok) throw new Error(`bare-socket-to-file exit ${r.code}: ${r.stderr.trim()}`);
        const res = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { bytes?: number; ms?: number };
        const got = (await stat(local)).size;
        if (res.bytes !== size || got !== size) throw new Error(`received ${res.bytes} bytes, wrote ${got}, expected ${size}`);
        return { mbps: mbps(size, res.ms ?? Number.NaN) };
      } finally {
        sender.kill();
        await rm(local, { force: true });
      }
    },
  };
  const send: Subject = {
    name: BARE_SEND,
    ftpkit: false,
    run: async () => {
      const sender = await spawnPortChild(childScript('bare-file-to-socket'), [ctx.data.storSource], timeout);
      try {
        const { bytes, ms } = await discardFrom(sender.port);
        if (bytes !== size) throw new Error(`received ${bytes} bytes, expected ${size}`);
        return { mbps: mbps(size, ms) };
      } finally {
        sender.kill();
      }
    },
  };
  await roundRobin(table, [receive, send], ctx);
  return table;
}
