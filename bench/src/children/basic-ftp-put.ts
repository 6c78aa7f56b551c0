/**
 * Child process: uploads one file with basic-ftp (the popular npm FTP client), for the client upload
 * comparison. Arguments: host port user password localPath remotePath.
 */
import { Client } from 'basic-ftp';

const [host, port, user, password, local, remote] = process.argv.slice(2);
if (!host || !port || !user || password === undefined || !local || !remote) {
  process.stderr.write('usage: basic-ftp-put HOST PORT USER PASSWORD LOCAL REMOTE\n');
  process.exit(2);
}
const client = new Client(60_000);
try {
  await client.access({ host, port: Number(port), user, password, secure: false });
  await client.uploadFrom(local, remote);
} finally {
  client.close();
}
