import { freePort } from '@ftpkit/test-servers';
import { childScript } from '../process-utils.js';
import { allocatePasvRange, HOST, launch, type BenchServer, type ServerContext } from './bench-server.js';

/** ftp-srv 4.6.3 (npm) in a Node child process of its own, logging off. */
export async function startFtpSrv(ctx: ServerContext): Promise<BenchServer> {
  const port = await freePort(HOST);
  const [pmin, pmax] = await allocatePasvRange(ctx.pasvPorts);
  const { pid, stop } = await launch('ftp-srv', process.execPath, [
    childScript('ftp-srv-server'), String(port), ctx.root, String(pmin), String(pmax), ctx.user, ctx.password,
  ], port);
  return { name: 'ftp-srv', ftpkit: false, port, pid, diskRoot: ctx.root, stop };
}
