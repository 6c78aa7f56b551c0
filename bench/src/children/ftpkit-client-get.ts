/**
 * Child process: downloads one file with `@ftpkit/client`, for the client-side comparison.
 * Arguments: host port user password remotePath localPath.
 */
import { FtpClient } from '@ftpkit/client';

const [host, port, user, password, remote, local] = process.argv.slice(2);
if (!host || !port || !user || password === undefined || !remote || !local) {
  process.stderr.write('usage: ftpkit-client-get HOST PORT USER PASSWORD REMOTE LOCAL\n');
  process.exit(2);
}
const client = await FtpClient.connect({ host, port: Number(port), user, password });
try {
  await client.download(remote, local);
} finally {
  await client.close();
}
