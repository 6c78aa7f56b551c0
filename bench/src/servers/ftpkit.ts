import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@ftpkit/test-servers';
import { HOST, launch, REPO_ROOT, type BenchServer, type ServerContext, type TlsFiles } from './bench-server.js';

/** The built `ftpkit-server` program (apps/server). */
export const FTPKIT_SERVER = join(REPO_ROOT, 'apps/server/dist/main.js');

/** Whether `ftpkit-server` is built. */
export function haveFtpkitServer(): boolean {
  return existsSync(FTPKIT_SERVER);
}

/**
 * `ftpkit-server` with local storage on the shared root, or memory storage (`diskRoot` undefined:
 * the harness uploads the data set first), with its default settings (issue 18: the burst and
 * sustained targets are stated for them): no config file, no passive range (its default is the
 * ports outside the kernel ephemeral range), the default connection limits (sized for the machine,
 * no per-address cap). It logs warnings only, as the peers log nothing per command. With `tls`,
 * explicit TLS with that certificate (FTPS measurements; plain logins stay allowed).
 */
export async function startFtpkit(ctx: ServerContext, storage: 'local' | 'memory', tls?: TlsFiles): Promise<BenchServer> {
  const port = await freePort(HOST);
  const args = [
    FTPKIT_SERVER, '--log-level', 'warn', '--host', HOST, '--port', String(port), '--storage', storage,
    '--user', `${ctx.user}:${ctx.password}`,
    ...(storage === 'local' ? ['--root', ctx.root] : []),
    ...(tls ? ['--tls-cert', tls.certFile, '--tls-key', tls.keyFile] : []),
  ];
  const { pid, stop } = await launch(`ftpkit-${storage}`, process.execPath, args, port);
  return { name: `ftpkit-${storage}`, ftpkit: true, port, pid, diskRoot: storage === 'local' ? ctx.root : undefined, stop };
}
