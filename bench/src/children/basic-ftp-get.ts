/**
 * Child process: downloads one file with basic-ftp (the popular npm FTP client), for the client-side
 * comparison. Arguments: host port user password remotePath localPath.
 */
import { Client } from 'basic-ftp';

const [host, port, user, password, remote, local] = process.argv.slice(2);
if (!host || !port || !user || password === undefined || !remote || !local) {
  process.stderr.write('usage: basic-ftp-get HOST PORT USER PASSWORD REMOTE LOCAL\n');
  process.exit(2);
}
const client = new Client(60_000);
try {
  await client.access({ host, port: Number(port), user, password, secure: false });
  await client.downloadTo(local, remote);
} finally {
  client.close();
}
