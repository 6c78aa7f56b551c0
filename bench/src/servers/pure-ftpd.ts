import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec, freePort, PURE_FTPD_DIR } from '@ftpkit/test-servers';
import { allocatePasvRange, HOST, launch, type BenchServer, type ServerContext, type TlsFiles } from './bench-server.js';

/**
 * pure-ftpd (unpacked into .tools by `pnpm test:setup`) with one virtual user mapped to the local
 * account. The password is a SHA-512 crypt hash: pure-pw's default hash costs seconds per login.
 * Client limits are raised above the idle-session count (which needs a passive range twice that
 * size); logging stays off. With `tls`, explicit TLS allowed (`-Y 1`) with that certificate.
 */
export async function startPureFtpd(ctx: ServerContext, maxClients: number, tls?: TlsFiles): Promise<BenchServer> {
  const dir = join(ctx.workDir, tls ? 'pure-ftpd-tls' : 'pure-ftpd');
  await mkdir(dir, { recursive: true });
  const hash = (await exec('openssl', ['passwd', '-6', ctx.password])).stdout.trim();
  const passwd = join(dir, 'pureftpd.passwd');
  const pdb = join(dir, 'pureftpd.pdb');
  await writeFile(passwd, `${ctx.user}:${hash}:${ctx.uid}:${ctx.gid}::${ctx.root}/./::::::::::::\n`, { mode: 0o600 });
  const usr = join(PURE_FTPD_DIR, 'usr');
  await exec(join(usr, 'bin/pure-pw'), ['mkdb', pdb, '-f', passwd]);
  const port = await freePort(HOST);
  const limit = Math.max(50, maxClients + 100);
  // pure-ftpd caps its client limit at half its passive range ("so we don't run out of ports").
  const [pmin, pmax] = await allocatePasvRange(Math.max(ctx.pasvPorts, 2 * limit));
  const { pid, stop } = await launch('pure-ftpd', join(usr, 'sbin/pure-ftpd'), [
    '-S', `${HOST},${port}`, '-l', `puredb:${pdb}`, '-p', `${pmin}:${pmax}`, '-c', String(limit), '-C', String(limit),
    '-E', '-H', '-A', '-4', '-I', '10', '-u', '1', '-D',
    ...(tls ? ['-Y', '1', '-2', `${tls.certFile},${tls.keyFile}`] : []),
  ], port);
  return { name: 'pure-ftpd', ftpkit: false, port, pid, diskRoot: ctx.root, stop };
}
