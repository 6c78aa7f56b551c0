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
 * Two clocks: spawn to exit (one Node start included, like the ftpkit client rows, which the
 * targets compare with it) and the transfer alone (the ceiling; the server rows, timed by curl,
 * whose start costs little, are compared with it).
 */
export async function measureBare(ctx: BenchContext): Promise<Table> {
  const size = ctx.opts.size;
  const timeout = ctx.opts.stepTimeoutMs;
  const table: Table = {
    id: 'bare',
    title: `Bare Node loops moving ${formatSize(size)} between a loopback socket and a tmpfs file (MB/s, higher is better)`,
    metrics: [
      { key: 'mbps', label: 'MB/s spawn to exit', higherIsBetter: true, ratio: false },
      { key: 'loop', label: 'MB/s transfer only', higherIsBetter: true, ratio: false },
    ],
    rows: [],
    notes: [
      `${BARE_RECEIVE}: bench/src/children/bare-socket-to-file.ts, fed by raw-sender (from memory); spawn to exit of the receiving child, and its own clock from connect to the file closed.`,
      `${BARE_SEND}: bench/src/children/bare-file-to-socket.ts, read by a discarding onread client in the bench process; spawn of the sending child to the end of the stream, and connect to the end.`,
      'Targets (≥ 0.9x): the ftpkit clients (timed spawn to exit, one Node start) against "spawn to exit"; the server rows (timed by curl and lftp, whose start costs little) against "transfer only".',
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
        return { mbps: mbps(size, r.ms), loop: mbps(size, res.ms ?? Number.NaN) };
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
      const t0 = performance.now();
      const sender = await spawnPortChild(childScript('bare-file-to-socket'), [ctx.data.storSource], timeout);
      try {
        const { bytes, ms } = await discardFrom(sender.port);
        if (bytes !== size) throw new Error(`received ${bytes} bytes, expected ${size}`);
        return { mbps: mbps(size, performance.now() - t0), loop: mbps(size, ms) };
      } finally {
        sender.kill();
      }
    },
  };
  await roundRobin(table, [receive, send], ctx);
  return table;
}
