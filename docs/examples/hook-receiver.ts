import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/** Receives `--hook upload,delete,rename=http://127.0.0.1:8080/ftp-events` and checks the signature. */
export function startHookReceiver(secret: string, onEvent: (event: Record<string, unknown>) => void, port = 8080): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-ftpkit-signature'] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401).end();
        return;
      }
      onEvent(JSON.parse(body.toString('utf8')) as Record<string, unknown>);
      res.writeHead(204).end(); // Any 2xx: delivered. Anything else is retried with backoff.
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
