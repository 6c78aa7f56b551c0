import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@ftpkit/test-servers';
import { allocatePasvRange, HOST, launch, REPO_ROOT, type BenchServer, type ServerContext } from './bench-server.js';

/** The built `ftpkit-server` program (apps/server). */
export const FTPKIT_SERVER = join(REPO_ROOT, 'apps/server/dist/main.js');

/** Whether `ftpkit-server` is built. */
export function haveFtpkitServer(): boolean {
  return existsSync(FTPKIT_SERVER);
}

/**
 * `ftpkit-server` with local storage on the shared root, or memory storage (`diskRoot` undefined:
 * the harness uploads the data set first).
 */
export async function startFtpkit(ctx: ServerContext, storage: 'local' | 'memory'): Promise<BenchServer> {
  const port = await freePort(HOST);
  const [pmin, pmax] = await allocatePasvRange(ctx.pasvPorts);
  const args = [
    FTPKIT_SERVER, '--host', HOST, '--port', String(port), '--storage', storage,
    '--user', `${ctx.user}:${ctx.password}`, '--pasv-ports', `${pmin}-${pmax}`,
    ...(storage === 'local' ? ['--root', ctx.root] : []),
  ];
  const { pid, stop } = await launch(`ftpkit-${storage}`, process.execPath, args, port);
  return { name: `ftpkit-${storage}`, ftpkit: true, port, pid, diskRoot: storage === 'local' ? ctx.root : undefined, stop };
}
