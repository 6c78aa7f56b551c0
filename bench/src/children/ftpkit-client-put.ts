/**
 * Child process: uploads one file with `@ftpkit/client`, for the client upload comparison.
 * Arguments: host port user password localPath remotePath.
 */
import { FtpClient } from '@ftpkit/client';

const [host, port, user, password, local, remote] = process.argv.slice(2);
if (!host || !port || !user || password === undefined || !local || !remote) {
  process.stderr.write('usage: ftpkit-client-put HOST PORT USER PASSWORD LOCAL REMOTE\n');
  process.exit(2);
}
const client = await FtpClient.connect({ host, port: Number(port), user, password });
try {
  await client.upload(local, remote);
} finally {
  await client.close();
}
