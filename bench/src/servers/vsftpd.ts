import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, VSFTPD } from '@ftpkit/test-servers';
import { allocatePasvRange, HOST, launch, type BenchServer, type ServerContext, type TlsFiles } from './bench-server.js';

/**
 * vsftpd with the local account chrooted into the shared root. Its listen backlog (32, fixed in
 * its source) is left as shipped: that is what users get. `isolate_network=NO` because network
 * namespaces are slow to create in a container. With `tls`, explicit TLS as the client tests run it
 * (packages/test-servers): `require_ssl_reuse=YES`, `ssl_ciphers=HIGH`, TLS 1.2+, plain logins allowed.
 */
export async function startVsftpd(ctx: ServerContext, tls?: TlsFiles): Promise<BenchServer> {
  const dir = join(ctx.workDir, tls ? 'vsftpd-tls' : 'vsftpd');
  const empty = join(dir, 'empty');
  await mkdir(empty, { recursive: true });
  const port = await freePort(HOST);
  const [pmin, pmax] = await allocatePasvRange(ctx.pasvPorts);
  const conf = join(dir, 'vsftpd.conf');
  await writeFile(conf, [
    'listen=YES', 'listen_ipv6=NO', `listen_address=${HOST}`, `listen_port=${port}`, 'background=NO',
    'anonymous_enable=NO', 'local_enable=YES', 'write_enable=YES', 'local_umask=022',
    'chroot_local_user=YES', 'allow_writeable_chroot=YES', `local_root=${ctx.root}`,
    'isolate_network=NO', 'isolate=NO', 'seccomp_sandbox=NO', `secure_chroot_dir=${empty}`,
    'pam_service_name=vsftpd', 'userlist_enable=NO', 'tcp_wrappers=NO',
    'pasv_enable=YES', `pasv_min_port=${pmin}`, `pasv_max_port=${pmax}`, 'port_enable=YES',
    'connect_from_port_20=NO', 'max_clients=0', 'max_per_ip=0', 'use_localtime=NO',
    'xferlog_enable=NO', 'dirmessage_enable=NO', 'ftpd_banner=ftpkit bench vsftpd',
    'idle_session_timeout=600', 'data_connection_timeout=300',
    ...(tls ? [
      'ssl_enable=YES', `rsa_cert_file=${tls.certFile}`, `rsa_private_key_file=${tls.keyFile}`,
      'force_local_logins_ssl=NO', 'force_local_data_ssl=NO', 'require_ssl_reuse=YES', 'ssl_ciphers=HIGH',
      'ssl_tlsv1=NO', 'ssl_sslv2=NO', 'ssl_sslv3=NO',
    ] : []),
  ].join('\n') + '\n', { mode: 0o600 });
  const { pid, stop } = await launch('vsftpd', VSFTPD, [conf], port);
  return { name: 'vsftpd', ftpkit: false, port, pid, diskRoot: ctx.root, stop };
}
