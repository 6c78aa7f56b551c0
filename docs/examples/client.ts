import { readFile } from 'node:fs/promises';
import { FtpClient } from '@ftpkit/client';

const client = await FtpClient.connect(process.env.FTP_URL ?? 'ftp://alice:secret@127.0.0.1:2121');
for (const entry of await client.list('/')) console.log(entry.type, entry.size, entry.name);
await client.download('/hello.txt', 'hello.txt');
console.log(await readFile('hello.txt', 'utf8'));
await client.upload('hello.txt', '/hello-again.txt');
await client.close();
