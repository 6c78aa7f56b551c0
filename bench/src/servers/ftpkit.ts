import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
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
 * the harness uploads the data set first). Like the peers (max_clients=0, -c N), its connection
 * limits are raised above the session counts of the run (all load comes from 127.0.0.1), and it logs
 * warnings only, as the peers log nothing per command.
 */
export async function startFtpkit(ctx: ServerContext, storage: 'local' | 'memory', maxClients: number): Promise<BenchServer> {
  const port = await freePort(HOST);
  const [pmin, pmax] = await allocatePasvRange(ctx.pasvPorts);
  const limit = maxClients + 100;
  const config = join(ctx.workDir, `ftpkit-${storage}.json`);
  await writeFile(config, JSON.stringify({ limits: { maxConnections: limit, maxConnectionsPerIp: limit } }));
  const args = [
    FTPKIT_SERVER, '--config', config, '--log-level', 'warn', '--host', HOST, '--port', String(port), '--storage', storage,
    '--user', `${ctx.user}:${ctx.password}`, '--pasv-ports', `${pmin}-${pmax}`,
    ...(storage === 'local' ? ['--root', ctx.root] : []),
  ];
  const { pid, stop } = await launch(`ftpkit-${storage}`, process.execPath, args, port);
  return { name: `ftpkit-${storage}`, ftpkit: true, port, pid, diskRoot: storage === 'local' ? ctx.root : undefined, stop };
}
