import { freePort } from '@ftpkit/test-servers';
import { childScript } from '../process-utils.js';
import { allocatePasvRange, HOST, launch, type BenchServer, type ServerContext } from './bench-server.js';

/**
 * The Node floor (issue 18): a minimal Node FTP server of the bench's own (children/node-floor-server)
 * that does nothing per transfer but listen, read the file in one call and end the socket with it.
 * What no Node server can beat on this machine; the small-file targets are ratios against it.
 */
export async function startNodeFloor(ctx: ServerContext): Promise<BenchServer> {
  const port = await freePort(HOST);
  const [pmin, pmax] = await allocatePasvRange(ctx.pasvPorts);
  const { pid, stop } = await launch('node-floor', process.execPath, [
    childScript('node-floor-server'), String(port), ctx.root, String(pmin), String(pmax),
  ], port);
  return { name: 'node-floor', ftpkit: false, port, pid, diskRoot: ctx.root, stop };
}
