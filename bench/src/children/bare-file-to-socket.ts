/**
 * Child process: the bare Node loop for sending (issue 19) — what Node itself reaches moving a file
 * into a socket, the ceiling of server RETR and client upload on this machine. Listens on
 * 127.0.0.1:0 and prints the port; to the first client it sends FILE read with `filehandle.read`
 * into a small pool of reused 1 MiB buffers (one read in flight; a buffer goes back to the pool when
 * the socket has taken it, so the pool is the backpressure), then ends the socket and exits.
 * Arguments: file.
 */
import { open } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: bare-file-to-socket FILE\n');
  process.exit(2);
}
const CHUNK = 1 << 20;
const POOL = 4;

async function send(socket: Socket): Promise<void> {
  const fh = await open(file as string, 'r');
  const free: Buffer[] = Array.from({ length: POOL }, () => Buffer.allocUnsafe(CHUNK));
  let wake: (() => void) | undefined;
  const release = (buf: Buffer): void => {
    free.push(buf);
    wake?.();
    wake = undefined;
  };
  try {
    for (;;) {
      while (free.length === 0) await new Promise<void>((resolve) => { wake = resolve; });
      const buf = free.pop() as Buffer;
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      socket.write(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead), (err) => {
        if (err) process.exit(1);
        release(buf);
      });
    }
  } finally {
    await fh.close();
  }
  socket.end();
}

const server = createServer((socket) => {
  server.close();
  socket.on('error', () => process.exit(1));
  socket.on('close', () => process.exit(0));
  send(socket).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
