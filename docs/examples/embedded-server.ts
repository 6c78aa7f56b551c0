import { createFtpServer } from '@ftpkit/server';
import { memoryStorage } from '@ftpkit/storage-memory';

export const server = createFtpServer({
  storage: memoryStorage({ files: { '/hello.txt': 'Hello from ftpkit!\n' } }),
  authenticate: (user, password) => (user === 'alice' && password === 'secret' ? { name: 'alice' } : null),
});
const { port } = await server.listen(Number(process.env.PORT ?? 2121), '127.0.0.1');
console.log(`ftp://alice:secret@127.0.0.1:${port}/hello.txt`);
