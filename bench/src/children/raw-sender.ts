/**
 * Child process: the machine's ceiling for one TCP stream from Node. Listens on 127.0.0.1:0, prints
 * the port, and sends SIZE bytes from memory to the first client (1 MiB writes, honouring
 * backpressure), then exits.
 */
import { createServer } from 'node:net';

const size = Number(process.argv[2] ?? 0);
const chunk = Buffer.alloc(1024 * 1024, 0x61);

const server = createServer((socket) => {
  server.close();
  let left = size;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  socket.on('error', () => process.exit(1));
  socket.on('close', () => process.exit(0));
  pump();
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
