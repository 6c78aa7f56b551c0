/**
 * Child process: downloads one file with `@ftpkit/client`, for the client-side comparison; with a
 * seventh argument `tls`, over explicit TLS (AUTH TLS, PROT P) without checking the bench's
 * self-signed certificate. Arguments: host port user password remotePath localPath [tls].
 */
import { FtpClient } from '@ftpkit/client';

const [host, port, user, password, remote, local, tls] = process.argv.slice(2);
if (!host || !port || !user || password === undefined || !remote || !local) {
  process.stderr.write('usage: ftpkit-client-get HOST PORT USER PASSWORD REMOTE LOCAL [tls]\n');
  process.exit(2);
}
const secure = tls === 'tls' ? { secure: 'explicit' as const, insecure: true } : {};
const client = await FtpClient.connect({ host, port: Number(port), user, password, ...secure });
try {
  await client.download(remote, local);
} finally {
  await client.close();
}
