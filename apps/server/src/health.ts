import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FtpServer } from '@ftpkit/server';
import type { MetricsAddress } from './endpoint-address.js';

/** A running health endpoint (`--health HOST:PORT`). */
export interface HealthEndpoint {
  address: AddressInfo;
  /** Answer 503 from now on, before the server itself closes (the drain delay). */
  markDraining(): void;
  close(): Promise<void>;
}

/**
 * Plain HTTP for load balancers: any GET or HEAD answers `200 accepting` while the FTP server takes
 * new connections and `503 draining` once it is closing (SIGTERM), so the balancer stops sending
 * new sessions while running transfers finish. It keeps answering until the process exits.
 */
export function startHealthEndpoint(server: FtpServer, where: MetricsAddress): Promise<HealthEndpoint> {
  let marked = false;
  const http = createServer((req, res) => {
    const draining = marked || server.draining;
    const body = draining ? 'draining\n' : 'accepting\n';
    res.writeHead(draining ? 503 : 200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      // A balancer's checks should not keep idle sockets on a draining instance.
      connection: 'close',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  http.keepAliveTimeout = 1_000;
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host: where.host, port: where.port }, () => {
      http.off('error', reject);
      resolve({
        address: http.address() as AddressInfo,
        markDraining: () => {
          marked = true;
        },
        close: () =>
          new Promise<void>((done) => {
            http.close(() => done());
            http.closeAllConnections();
          }),
      });
    });
  });
}
