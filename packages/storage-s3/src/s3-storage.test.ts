import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isStorageError } from '@ftpkit/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Storage, type S3StorageAdapter } from './s3-storage.js';
import { chunks, collect } from './test-support/bytes.js';
import { startS3rver, type S3rverProcess } from './test-support/s3rver-process.js';

let server: S3rverProcess;
let client: S3Client;
let storage: S3StorageAdapter;

beforeAll(async () => {
  server = await startS3rver({ buckets: ['basic'] });
  client = server.createClient();
  storage = s3Storage({ bucket: 'basic', client });
});
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

describe('s3Storage basics', () => {
  it('writes, stats, lists and reads a file', async () => {
    await expect(storage.write('/hello.txt', chunks('hello ', 'world'))).resolves.toEqual({ bytes: 11 });
    const stat = await storage.stat('/hello.txt');
    expect(stat).toMatchObject({ name: 'hello.txt', path: '/hello.txt', type: 'file', size: 11 });
    expect((await collect(storage.read('/hello.txt'))).toString()).toBe('hello world');
    expect((await collect(storage.read('/hello.txt', { start: 6 }))).toString()).toBe('world');
    expect((await collect(storage.read('/hello.txt', { start: 11 }))).toString()).toBe('');
    expect((await collect(storage.read('/hello.txt', { start: 50 }))).toString()).toBe('');
    const names: string[] = [];
    for await (const entry of storage.list('/')) names.push(entry.name);
    expect(names).toContain('hello.txt');
    const raw = await client.send(new GetObjectCommand({ Bucket: 'basic', Key: 'hello.txt' }));
    expect(await raw.Body?.transformToString()).toBe('hello world');
  });

  it('treats a prefix as a directory with or without a marker', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'basic', Key: 'implicit/deep/file.bin', Body: 'x' }));
    expect((await storage.stat('/implicit')).type).toBe('dir');
    expect((await storage.stat('/implicit/deep')).type).toBe('dir');
    await storage.mkdir('/made');
    expect((await storage.stat('/made')).type).toBe('dir');
    await expect(storage.mkdir('/made')).rejects.toSatisfy((e) => isStorageError(e, 'EEXIST'));
    await expect(storage.rmdir('/implicit')).rejects.toSatisfy((e) => isStorageError(e, 'ENOTEMPTY'));
    await storage.delete('/implicit/deep/file.bin');
    // deleting the last file keeps its directory
    expect((await storage.stat('/implicit/deep')).type).toBe('dir');
    await storage.rmdir('/implicit/deep');
    await expect(storage.stat('/implicit/deep')).rejects.toSatisfy((e) => isStorageError(e, 'ENOENT'));
  });
});
