import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolve } from 'node:path';
import {
  exec, freePort, freePortRange, makeCertificate, makeTempDir, removeDir, requireProgram, spawnServer,
  waitForPort, type StartOptions, type TestFtpServer,
} from './support.js';
import { ensureSystemUser, TEST_PASSWORD, TEST_USER } from './system-user.js';

const HOST = '127.0.0.1';
const repoRoot = resolve(import.meta.dirname, '../../..');
/** Where `scripts/install-test-deps.sh` unpacks pure-ftpd. */
export const PURE_FTPD_DIR = join(repoRoot, '.tools/pure-ftpd');
export const VSFTPD = '/usr/sbin/vsftpd';
export const PYTHON = '/usr/bin/python3';

/** Gives the FTP account ownership of everything under `dir` (files the test wrote as root). */
export async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await exec('chown', ['-R', `${uid}:${gid}`, dir]);
}

function server(fields: Omit<TestFtpServer, 'url'>): TestFtpServer {
  return { ...fields, url: `ftp://${fields.user}:${encodeURIComponent(fields.password)}@${fields.host}:${fields.port}` };
}

/** Whether vsftpd is installed (throws under CI when it is not). */
export function haveVsftpd(): boolean { return requireProgram(VSFTPD, 'vsftpd'); }
/** Whether pure-ftpd is unpacked in .tools (throws under CI when it is not). */
export function havePureFtpd(): boolean { return requireProgram(join(PURE_FTPD_DIR, 'usr/sbin/pure-ftpd'), 'pure-ftpd'); }
/** Whether /usr/bin/python3 has pyftpdlib (throws under CI when it has not). */
export async function havePyftpdlib(): Promise<boolean> {
  try {
    await exec(PYTHON, ['-c', 'import pyftpdlib, OpenSSL']);
    return true;
  } catch {
    if (process.env.CI) throw new Error('pyftpdlib is missing for /usr/bin/python3; run `pnpm test:setup` to install it');
    return false;
  }
}

/**
 * vsftpd on 127.0.0.1 with its own config; the local account `ftpkittest` chrooted into a temp root.
 * With `tls`, `require_ssl_reuse=YES`: data connections must resume the control connection's TLS
 * session, which proves a client's session reuse.
 */
export async function startVsftpd(opts: StartOptions = {}): Promise<TestFtpServer & { uid: number; gid: number }> {
  const { uid, gid } = await ensureSystemUser();
  const dir = await makeTempDir('ftpkit-vsftpd-');
  await chmod(dir, 0o755);
  const root = join(dir, 'root');
  const empty = join(dir, 'empty');
  await mkdir(root);
  await mkdir(empty);
  await chown(root, uid, gid);
  const port = await freePort(HOST);
  const [pmin, pmax] = await freePortRange();
  const lines = [
    'listen=YES', 'listen_ipv6=NO', `listen_address=${HOST}`, `listen_port=${port}`, 'background=NO',
    'anonymous_enable=NO', 'local_enable=YES', 'write_enable=YES', 'local_umask=022',
    'chroot_local_user=YES', 'allow_writeable_chroot=YES', `local_root=${root}`,
    'isolate_network=NO', 'isolate=NO', 'seccomp_sandbox=NO', `secure_chroot_dir=${empty}`,
    'pam_service_name=vsftpd', 'userlist_enable=NO', 'tcp_wrappers=NO',
    'pasv_enable=YES', `pasv_min_port=${pmin}`, `pasv_max_port=${pmax}`, 'port_enable=YES',
    'connect_from_port_20=NO', 'max_clients=0', 'max_per_ip=0', 'mdtm_write=YES', 'use_localtime=NO',
    'xferlog_enable=NO', 'dirmessage_enable=NO', 'ftpd_banner=ftpkit test vsftpd', 'idle_session_timeout=120',
    'data_connection_timeout=60',
  ];
  let ca: string | undefined;
  let caFile: string | undefined;
  if (opts.tls || opts.implicit) {
    const cert = await makeCertificate(dir);
    ca = cert.pem;
    caFile = cert.certFile;
    if (opts.implicit) lines.push('implicit_ssl=YES');
    lines.push('ssl_enable=YES', `rsa_cert_file=${cert.certFile}`, `rsa_private_key_file=${cert.keyFile}`,
      'force_local_logins_ssl=NO', 'force_local_data_ssl=NO', 'require_ssl_reuse=YES', 'ssl_ciphers=HIGH',
      'ssl_tlsv1=NO', 'ssl_sslv2=NO', 'ssl_sslv3=NO');
  }
  const conf = join(dir, 'vsftpd.conf');
  await writeFile(conf, lines.join('\n') + '\n', { mode: 0o600 });
  const proc = spawnServer(VSFTPD, [conf]);
  try {
    await waitForPort(HOST, port, proc.child);
  } catch (err) {
    await proc.stop();
    throw new Error(`vsftpd failed to start: ${(err as Error).message}\n${proc.output()}`);
  }
  return {
    ...server({ name: 'vsftpd', host: HOST, port, user: TEST_USER, password: TEST_PASSWORD, root, tls: !!(opts.tls || opts.implicit), ...(ca ? { ca, caFile } : {}),
      stop: async () => { await proc.stop(); await removeDir(dir); } }),
    uid, gid,
  };
}

/**
 * pure-ftpd (unpacked in .tools) with a virtual-user database. The password line is written here with
 * a SHA-512 crypt hash (`openssl passwd -6`) because pure-pw's default hash costs seconds per login.
 */
export async function startPureFtpd(opts: StartOptions = {}): Promise<TestFtpServer & { uid: number; gid: number }> {
  const { uid, gid } = await ensureSystemUser();
  const dir = await makeTempDir('ftpkit-pureftpd-');
  await chmod(dir, 0o755);
  const root = join(dir, 'root');
  await mkdir(root);
  await chown(root, uid, gid);
  const user = 'ftpkit';
  const password = 'pure-Test-pw2';
  const hash = (await exec('openssl', ['passwd', '-6', password])).stdout.trim();
  const passwd = join(dir, 'pureftpd.passwd');
  const pdb = join(dir, 'pureftpd.pdb');
  await writeFile(passwd, `${user}:${hash}:${uid}:${gid}::${root}/./::::::::::::\n`, { mode: 0o600 });
  const bin = join(PURE_FTPD_DIR, 'usr');
  await exec(join(bin, 'bin/pure-pw'), ['mkdb', pdb, '-f', passwd]);
  const port = await freePort(HOST);
  const [pmin, pmax] = await freePortRange();
  const args = [
    '-S', `${HOST},${port}`, '-l', `puredb:${pdb}`, '-p', `${pmin}:${pmax}`, '-c', '200', '-C', '200',
    '-E', '-H', '-A', '-4', '-I', '2', '-u', '1', '-D',
  ];
  let ca: string | undefined;
  let caFile: string | undefined;
  if (opts.tls) {
    const cert = await makeCertificate(dir);
    ca = cert.pem;
    caFile = cert.certFile;
    args.push('-Y', '1', '-2', `${cert.certFile},${cert.keyFile}`);
  }
  const proc = spawnServer(join(bin, 'sbin/pure-ftpd'), args);
  try {
    await waitForPort(HOST, port, proc.child);
  } catch (err) {
    await proc.stop();
    throw new Error(`pure-ftpd failed to start: ${(err as Error).message}\n${proc.output()}`);
  }
  return {
    ...server({ name: 'pure-ftpd', host: HOST, port, user, password, root, tls: !!opts.tls, ...(ca ? { ca, caFile } : {}),
      stop: async () => { await proc.stop(); await removeDir(dir); } }),
    uid, gid,
  };
}

const PYFTPDLIB_SCRIPT = `
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
host, port, root, user, password, pmin, pmax, cert, key = sys.argv[1:10]
auth = DummyAuthorizer()
auth.add_user(user, password, root, perm='elradfmwMT')
if cert:
    from pyftpdlib.handlers import TLS_FTPHandler
    class H(TLS_FTPHandler):
        pass
    H.certfile = cert
    H.keyfile = key
else:
    class H(FTPHandler):
        pass
H.authorizer = auth
H.passive_ports = range(int(pmin), int(pmax) + 1)
H.banner = 'ftpkit test pyftpdlib'
H.timeout = 120
srv = FTPServer((host, int(port)), H)
srv.max_cons = 0
srv.max_cons_per_ip = 0
print('ready', flush=True)
srv.serve_forever()
`;

/** pyftpdlib through /usr/bin/python3 (Debian's python3-pyftpdlib), with TLS_FTPHandler for `tls`. */
export async function startPyftpdlib(opts: StartOptions = {}): Promise<TestFtpServer> {
  const dir = await makeTempDir('ftpkit-pyftpdlib-');
  const root = join(dir, 'root');
  await mkdir(root);
  const script = join(dir, 'server.py');
  await writeFile(script, PYFTPDLIB_SCRIPT);
  const port = await freePort(HOST);
  const [pmin, pmax] = await freePortRange();
  const user = 'ftpkit';
  const password = 'py-Test-pw3';
  let ca: string | undefined;
  let caFile: string | undefined;
  let certArgs = ['', ''];
  if (opts.tls) {
    const cert = await makeCertificate(dir);
    ca = cert.pem;
    caFile = cert.certFile;
    certArgs = [cert.certFile, cert.keyFile];
  }
  const proc = spawnServer(PYTHON, [script, HOST, String(port), root, user, password, String(pmin), String(pmax), ...certArgs]);
  try {
    await waitForPort(HOST, port, proc.child);
  } catch (err) {
    await proc.stop();
    throw new Error(`pyftpdlib failed to start: ${(err as Error).message}\n${proc.output()}`);
  }
  return server({ name: 'pyftpdlib', host: HOST, port, user, password, root, tls: !!opts.tls, ...(ca ? { ca, caFile } : {}),
    stop: async () => { await proc.stop(); await removeDir(dir); } });
}
