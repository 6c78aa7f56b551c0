/**
 * Child process: the bare Node loop for receiving (issue 19) — what Node itself reaches moving a
 * socket's bytes into a file, the ceiling of server STOR and client download on this machine.
 * Connects to 127.0.0.1:PORT (a sender that streams bytes from memory), reads with `onread`
 * straight into a ~1 MiB batch buffer (no per-read allocation, no copy), writes each full batch to
 * the file with one write in flight while the other batch fills, and stops reading only when both
 * batches are full. Prints `{"bytes":…,"ms":…}`: connect to the last write done and the file closed.
 * Arguments: port file.
 */
import { open } from 'node:fs/promises';
import { connect } from 'node:net';

const [portText, file] = process.argv.slice(2);
if (!portText || !file) {
  process.stderr.write('usage: bare-socket-to-file PORT FILE\n');
  process.exit(2);
}
const BATCH = 1 << 20;
/** A read never gets less room than this; a batch with less left is written out. */
const MIN_READ = 64 * 1024;

const fh = await open(file, 'w');
const batches = [Buffer.allocUnsafe(BATCH), Buffer.allocUnsafe(BATCH)];
let current = 0;
let filled = 0;
let bytes = 0;
/** The batch being written (one write in flight), and a full one waiting for it. */
let inFlight: Promise<void> | undefined;
let waiting: { buf: Buffer; n: number } | undefined;
let t0 = 0;

const write = (buf: Buffer, n: number): void => {
  inFlight = fh.write(buf, 0, n).then(() => {
    inFlight = undefined;
    const next = waiting;
    waiting = undefined;
    if (next) {
      // The batch just written is free again: it is the one reads go into next.
      write(next.buf, next.n);
      socket.resume();
    }
  });
};

/** Hands the full batch to the file and switches to the other one; false (pause) when that one is still being written. */
const rotate = (): boolean => {
  const full = batches[current] as Buffer;
  const n = filled;
  current ^= 1;
  filled = 0;
  if (inFlight) { waiting = { buf: full, n }; return false; }
  write(full, n);
  return true;
};

const socket = connect({
  host: '127.0.0.1',
  port: Number(portText),
  onread: {
    buffer: () => (batches[current] as Buffer).subarray(filled),
    callback: (n: number) => {
      bytes += n;
      filled += n;
      return BATCH - filled < MIN_READ ? rotate() : true;
    },
  },
}, () => { t0 = performance.now(); });

socket.on('error', (err) => { process.stderr.write(`${err.message}\n`); process.exit(1); });
socket.on('end', () => {
  void (async () => {
    while (inFlight) await inFlight;
    if (filled > 0) await fh.write(batches[current] as Buffer, 0, filled);
    await fh.close();
    process.stdout.write(`${JSON.stringify({ bytes, ms: performance.now() - t0 })}\n`);
    process.exit(0);
  })();
});
