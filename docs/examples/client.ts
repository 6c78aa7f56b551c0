import { readFile } from 'node:fs/promises';
import { FtpClient } from '@ftpkit/client';

// The password may come apart from the URL; an option that is undefined counts as not given.
const client = await FtpClient.connect(process.env.FTP_URL ?? 'ftp://alice@127.0.0.1:2121', {
  password: process.env.FTP_PASSWORD,
});
for (const entry of await client.list('/')) console.log(entry.type, entry.size, entry.name);
await client.download('/hello.txt', 'hello.txt');
console.log(await readFile('hello.txt', 'utf8'));
await client.upload('hello.txt', '/hello-again.txt');
await client.close();
