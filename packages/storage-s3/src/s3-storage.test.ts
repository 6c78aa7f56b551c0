import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isStorageError, type FileStat } from '@ftpkit/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Storage, type S3StorageOptions } from './s3-storage.js';
import { awsCli, hasAwsCli } from './test-support/aws-cli.js';
import {
  chunks,
  collect,
  failingSource,
  patternBytes,
  patternSource,
  sha256Of,
  stalledSource,
} from './test-support/bytes.js';
import { startS3rver, type S3rverProcess } from './test-support/s3rver-process.js';

const MiB = 1 << 20;
const partSize = 5 * MiB;

/** Two servers: one serving UploadPartCopy (as real S3 does) and one without it, like s3rver. */
let withCopy: S3rverProcess;
let withoutCopy: S3rverProcess;
const clients: S3Client[] = [];

beforeAll(async () => {
  [withCopy, withoutCopy] = await Promise.all([
    startS3rver({ buckets: ['b'], uploadPartCopy: true }),
    // As s3rver is: no UploadPartCopy, no ListMultipartUploads.
    startS3rver({ buckets: ['b'], uploadPartCopy: false, listMultipartUploads: false }),
  ]);
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await Promise.all([withCopy?.stop(), withoutCopy?.stop()]);
});

let prefixNumber = 0;

/** An adapter on a fresh prefix, its client, and a count of the S3 commands it sent. */
function setup(server: S3rverProcess, options: Partial<S3StorageOptions> = {}) {
  const client = server.createClient();
  clients.push(client);
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '?';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  const prefix = options.prefix ?? `t${++prefixNumber}/`;
  const debug: Array<{ message: string; details?: Record<string, unknown> }> = [];
  const storage = s3Storage({
    bucket: 'b',
    client,
    partSize,
    queueSize: 2,
    logger: { debug: (message, details) => debug.push({ message, details }), warn: () => undefined },
    ...options,
    prefix,
  });
  return { storage, client, counts, prefix, debug, count: (name: string) => counts.get(name) ?? 0 };
}

async function listNames(entries: AsyncIterable<FileStat>): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of entries) names.push(`${entry.name}${entry.type === 'dir' ? '/' : ''}`);
  return names;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((err) => isStorageError(err) && err.code === code);
}

const expectedHash = (total: number) => sha256Of(patternSource(total));

describe('uploads', () => {
  it('an atomic upload whose source fails after several parts leaves no object, no parts and the old object', async () => {
    const { storage, count } = setup(withCopy);
    await storage.write('/keep.bin', chunks('old content'));
    const boom = new Error('data connection reset');
    await expect(
      storage.write('/keep.bin', failingSource(boom, patternBytes(0, 12 * MiB)), { uploadMode: 'atomic' }),
    ).rejects.toBe(boom);
    expect(count('UploadPartCommand')).toBeGreaterThanOrEqual(1);
    expect((await collect(storage.read('/keep.bin'))).toString()).toBe('old content');
    expect(withCopy.pendingUploads('b')).toEqual([]);
    await expect(
      storage.write('/new.bin', failingSource(boom, patternBytes(0, 12 * MiB)), { uploadMode: 'atomic' }),
    ).rejects.toBe(boom);
    await expectCode(storage.stat('/new.bin'), 'ENOENT');
    expect(withCopy.pendingUploads('b')).toEqual([]);
  });

  it('a part refused by S3 ends the upload at once, even while the client is stalled', async () => {
    const { storage, client } = setup(withCopy);
    let partOneDone!: () => void;
    const partOne = new Promise<void>((resolve) => {
      partOneDone = resolve;
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const part = (args.input as { PartNumber?: number }).PartNumber;
        if (context.commandName === 'UploadPartCommand' && part === 1) {
          const result = await next(args);
          partOneDone();
          return result;
        }
        if (context.commandName === 'UploadPartCommand' && part === 2) {
          // Late, so that part 1 is done and lib-storage is already waiting on the stalled source.
          await partOne;
          await new Promise((resolve) => setTimeout(resolve, 200));
          throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'denySecondPart' },
    );
    // 12 MiB (two full parts and a bit), then the peer sends nothing more and never closes.
    const writing = storage.write('/denied.bin', stalledSource(patternBytes(0, 12 * MiB)));
    const timeout = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 10_000).unref());
    const outcome = await Promise.race([writing.then(() => 'resolved', (err: unknown) => err), timeout]);
    expect(outcome).toMatchObject({ name: 'StorageError', code: 'EACCES' });
    expect(withCopy.pendingUploads('b')).toEqual([]);
    await expectCode(storage.stat('/denied.bin'), 'ENOENT');
  });

  it('an upload aborted midway while its client is stalled (killed) leaves no object and no parts', async () => {
    // The adapter option forces atomic uploads whatever the caller asks (default: resumable).
    const { storage, count } = setup(withCopy, { uploadMode: 'atomic' });
    const controller = new AbortController();
    const writing = storage.write('/killed.bin', stalledSource(patternBytes(0, 11 * MiB)), {
      signal: controller.signal,
    });
    writing.catch(() => undefined);
    // Wait (bounded) until the multipart upload has parts on the server.
    for (let i = 0; i < 200 && count('UploadPartCommand') < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(withCopy.pendingUploads('b').length).toBe(1);
    const started = Date.now();
    controller.abort(new Error('client went away'));
    await expect(writing).rejects.toThrow('client went away');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(withCopy.pendingUploads('b')).toEqual([]);
    await expectCode(storage.stat('/killed.bin'), 'ENOENT');
    expect(await listNames(storage.list('/'))).toEqual([]);
  });

  it.each([
    ['with UploadPartCopy', () => withCopy, 1],
    ['streaming the existing bytes through', () => withoutCopy, 2],
  ] as const)('a broken resumable upload resumes with REST to the right bytes (%s)', async (_, server, gets) => {
    const { storage, count } = setup(server());
    const total = 13 * MiB + 321;
    const brokenAt = 7 * MiB + 5;
    const boom = new Error('reset');
    await expect(storage.write('/r.bin', failingSource(boom, patternBytes(0, brokenAt)))).rejects.toBe(boom);
    // What was consumed is stored, like a partial file on disk, so the client can SIZE and REST.
    const partial = await storage.stat('/r.bin');
    expect(partial.size).toBe(brokenAt);
    expect(server().pendingUploads('b')).toEqual([]);
    const result = await storage.write('/r.bin', patternSource(total - brokenAt, 1 << 20, brokenAt), {
      start: partial.size,
    });
    expect(result.bytes).toBe(total - brokenAt);
    expect(await sha256Of(storage.read('/r.bin'))).toEqual(await expectedHash(total));
    // With UploadPartCopy the stored prefix never passes through this process: the only GET is
    // the check above; without it the prefix is streamed (one more GET).
    expect(count('UploadPartCopyCommand')).toBeGreaterThanOrEqual(1);
    expect(count('GetObjectCommand')).toBe(gets);
    expect(server().pendingUploads('b')).toEqual([]);
  });

  it.each([
    ['with UploadPartCopy', () => withCopy],
    ['streaming the existing bytes through', () => withoutCopy],
  ] as const)('APPE and REST inside a large file build the right object (%s)', async (_, server) => {
    const { storage } = setup(server());
    await storage.write('/a.bin', patternSource(6 * MiB));
    await storage.write('/a.bin', patternSource(2 * MiB, 1 << 20, 6 * MiB), { mode: 'append' });
    expect(await sha256Of(storage.read('/a.bin'))).toEqual(await expectedHash(8 * MiB));
    // REST 6 MiB + STOR of 1 MiB of zeros keeps the last MiB.
    await storage.write('/a.bin', chunks(Buffer.alloc(MiB)), { start: 6 * MiB });
    const bytes = await collect(storage.read('/a.bin'));
    expect(bytes.length).toBe(8 * MiB);
    expect(bytes.subarray(0, 6 * MiB).equals(patternBytes(0, 6 * MiB))).toBe(true);
    expect(bytes.subarray(6 * MiB, 7 * MiB).equals(Buffer.alloc(MiB))).toBe(true);
    expect(bytes.subarray(7 * MiB).equals(patternBytes(7 * MiB, MiB))).toBe(true);
  });

  it('sweepTemporary aborts the stale multipart uploads under its prefix only; without ListMultipartUploads it reports incomplete', async () => {
    const { storage, client, prefix } = setup(withCopy, { staleUploadMs: 0 });
    const lost = async (key: string): Promise<string> =>
      (await client.send(new CreateMultipartUploadCommand({ Bucket: 'b', Key: key }))).UploadId ?? '';
    const mine = await lost(`${prefix}lost.bin`);
    const other = await lost(`elsewhere-${prefix}lost.bin`);
    // A young upload is left to its owner (another instance may still be sending it).
    expect(await setup(withCopy, { prefix }).storage.sweepTemporary()).toEqual({ removed: 0, bytes: 0, failed: 0, complete: true });
    expect(withCopy.pendingUploads('b')).toContain(mine);
    expect(await storage.sweepTemporary()).toEqual({ removed: 1, bytes: 0, failed: 0, complete: true });
    expect(withCopy.pendingUploads('b')).toEqual([other]);
    await client.send(new AbortMultipartUploadCommand({ Bucket: 'b', Key: `elsewhere-${prefix}lost.bin`, UploadId: other }));
    const plain = setup(withoutCopy, { staleUploadMs: 0 });
    expect((await plain.storage.sweepTemporary()).complete).toBe(false);
  });

  it('a failing APPE keeps the old object and leaves no parts', async () => {
    const { storage } = setup(withCopy);
    await storage.write('/ap.bin', patternSource(6 * MiB));
    const boom = new Error('reset');
    await expect(
      storage.write('/ap.bin', failingSource(boom, patternBytes(0, 7 * MiB)), { mode: 'append', uploadMode: 'atomic' }),
    ).rejects.toBe(boom);
    expect(await sha256Of(storage.read('/ap.bin'))).toEqual(await expectedHash(6 * MiB));
    expect(withCopy.pendingUploads('b')).toEqual([]);
  });

  it('reads from an offset with Range, from 0 without, and nothing at or past the end', async () => {
    const { storage, client, prefix } = setup(withCopy);
    const ranges: Array<string | undefined> = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetObjectCommand') ranges.push((args.input as { Range?: string }).Range);
        return next(args);
      },
      { step: 'initialize', name: 'recordRanges' },
    );
    await storage.write('/r.txt', chunks('0123456789'));
    await storage.write('/empty', chunks());
    expect((await collect(storage.read('/r.txt'))).toString()).toBe('0123456789');
    expect((await collect(storage.read('/r.txt', { start: 7 }))).toString()).toBe('789');
    expect((await collect(storage.read('/r.txt', { start: 10 }))).toString()).toBe('');
    expect((await collect(storage.read('/empty'))).toString()).toBe('');
    expect((await collect(storage.read('/empty', { start: 3 }))).toString()).toBe('');
        // The 0-byte object is read with one plain GET; at offset 3 it is not requested at all.
    expect(ranges).toEqual([undefined, 'bytes=7-9', undefined]);
    const raw = await client.send(new GetObjectCommand({ Bucket: 'b', Key: `${prefix}r.txt` }));
    expect(await raw.Body?.transformToString()).toBe('0123456789');
  });
});

describe('directories and listings', () => {
  it('lists across many pages, yielding as pages arrive', async () => {
    const { storage, client, prefix, count } = setup(withCopy, { listPageSize: 7 });
    await storage.mkdir('/d');
    const expected: string[] = [];
    for (let i = 0; i < 40; i++) {
      const name = `f${String(i).padStart(2, '0')}`;
      await client.send(new PutObjectCommand({ Bucket: 'b', Key: `${prefix}d/${name}`, Body: 'x' }));
      expected.push(name);
    }
    for (const sub of ['m-marker', 'z-implicit']) {
      if (sub === 'm-marker') await storage.mkdir(`/d/${sub}`);
      await client.send(new PutObjectCommand({ Bucket: 'b', Key: `${prefix}d/${sub}/inner`, Body: 'y' }));
      expected.push(`${sub}/`);
    }
    const before = count('ListObjectsV2Command');
    expect(await listNames(storage.list('/d'))).toEqual(expected.sort());
    expect(count('ListObjectsV2Command') - before).toBeGreaterThanOrEqual(6);
    const early = count('ListObjectsV2Command');
    for await (const _ of storage.list('/d')) break;
    expect(count('ListObjectsV2Command') - early).toBe(1);
  });

  it('lists 1100 keys across the 1000-key page boundary; the aws CLI counts the same', { timeout: 120_000 }, async () => {
    const { storage, client, prefix, count } = setup(withCopy);
    const total = 1100;
    for (let i = 0; i < total; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, total - i) }, (_, j) =>
          client.send(new PutObjectCommand({ Bucket: 'b', Key: `${prefix}many/k${String(i + j).padStart(5, '0')}`, Body: new Uint8Array(0), ContentLength: 0 })),
        ),
      );
    }
    const before = count('ListObjectsV2Command');
    const names = await listNames(storage.list('/many'));
    expect(names.length).toBe(total);
    expect(new Set(names).size).toBe(total);
    expect(count('ListObjectsV2Command') - before).toBe(2);
    if (!(await hasAwsCli())) {
      if (process.env.CI) throw new Error('the aws CLI is missing (pip install awscli)');
      return;
    }
    // The CLI pages without a delimiter, through s3rver's own DES-encrypted continuation tokens.
    const listing = await awsCli(withCopy.endpoint, ['s3', 'ls', `s3://b/${prefix}many/`, '--recursive']);
    expect(listing.trim().split('\n').length).toBe(total);
  });

  it('a directory is a prefix with or without a marker; mkdir writes one; rmdir refuses non-empty', async () => {
    const { storage, client, prefix } = setup(withCopy);
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: `${prefix}implicit/deep/file`, Body: 'x' }));
    expect(await storage.stat('/implicit')).toMatchObject({ type: 'dir', name: 'implicit' });
    expect(await listNames(storage.list('/'))).toEqual(['implicit/']);
    await storage.mkdir('/made');
    const marker = await client.send(new HeadObjectCommand({ Bucket: 'b', Key: `${prefix}made/` }));
    expect(marker.ContentLength).toBe(0);
    await expectCode(storage.rmdir('/implicit'), 'ENOTEMPTY');
    await storage.delete('/implicit/deep/file');
    // The directory outlives its last file (a marker is written), as on a disk.
    expect((await storage.stat('/implicit/deep')).type).toBe('dir');
    await storage.rmdir('/implicit/deep');
    await storage.rmdir('/implicit');
    expect(await listNames(storage.list('/'))).toEqual(['made/']);
  });

  it('skips keys that cannot be FTP names, with a debug log', async () => {
    const { storage, client, prefix, debug } = setup(withCopy);
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: `${prefix}d/ok.txt`, Body: 'x' }));
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: `${prefix}d/line\nbreak`, Body: 'x' }));
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: `${prefix}d/cr\rdir/x`, Body: 'x' }));
    expect(await listNames(storage.list('/d'))).toEqual(['ok.txt']);
    expect(debug.map((entry) => entry.details?.reason)).toEqual([
      'contains CR, LF or NUL',
      'contains CR, LF or NUL',
    ]);
  });

  it('renames a directory of 50 keys, and the aws CLI sees them at the new place', async () => {
    // listPageSize 20: the rename walks three pages of s3rver's own (DES-encrypted) continuation
    // tokens, which fail without --openssl-legacy-provider.
    const { storage, prefix } = setup(withCopy, { renameConcurrency: 6, listPageSize: 20 });
    await storage.mkdir('/src');
    await storage.mkdir('/src/sub');
    for (let i = 0; i < 48; i++) {
      await storage.write(`/src/${i % 2 ? 'sub/' : ''}file ${i} +&=.txt`, chunks(`content ${i}`));
    }
    await storage.rename('/src', '/dst');
    await expectCode(storage.stat('/src'), 'ENOENT');
    for (let i = 0; i < 48; i++) {
      const path = `/dst/${i % 2 ? 'sub/' : ''}file ${i} +&=.txt`;
      expect((await collect(storage.read(path))).toString()).toBe(`content ${i}`);
    }
    if (!(await hasAwsCli())) {
      if (process.env.CI) throw new Error('the aws CLI is missing (pip install awscli)');
      return;
    }
    const listing = await awsCli(withCopy.endpoint, ['s3', 'ls', `s3://b/${prefix}`, '--recursive']);
    const keys = listing
      .trim()
      .split('\n')
      .map((line) => line.replace(/^\S+\s+\S+\s+\d+\s/, ''));
    expect(keys.length).toBe(50);
    expect(keys.every((key) => key.startsWith(`${prefix}dst/`))).toBe(true);
    expect(keys).toContain(`${prefix}dst/sub/`);
    expect(keys).toContain(`${prefix}dst/file 0 +&=.txt`);
    expect(keys).toContain(`${prefix}dst/sub/file 47 +&=.txt`);
  });

  it('a directory rename that fails part-way reports it and deletes no source whose copy failed', async () => {
    const { storage, client, prefix } = setup(withCopy);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key ?? '';
        if (context.commandName === 'CopyObjectCommand' && key.includes('bad')) {
          throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'denyBadCopies' },
    );
    await storage.mkdir('/src');
    for (const name of ['a', 'bad1', 'c', 'bad2', 'e']) await storage.write(`/src/${name}`, chunks(name));
    await expect(storage.rename('/src', '/dst')).rejects.toSatisfy(
      (err) => isStorageError(err, 'EACCES') && /2 of 6 keys not moved/.test(err.message),
    );
    expect(await listNames(storage.list('/src'))).toEqual(['bad1', 'bad2']);
    expect(await listNames(storage.list('/dst'))).toEqual(['a', 'c', 'e']);
    const left = await client.send(new ListObjectsV2Command({ Bucket: 'b', Prefix: `${prefix}src/` }));
    expect(left.Contents?.map((o) => o.Key)).toEqual([`${prefix}src/bad1`, `${prefix}src/bad2`]);
  });
});

describe('copies and metadata', () => {
  it.each([
    ['UploadPartCopy parts', () => withCopy],
    ['a stream through this process', () => withoutCopy],
  ] as const)('renames a file above the multipart-copy threshold with %s', async (_, server) => {
    const { storage, count } = setup(server(), { multipartCopyThreshold: 6 * MiB, copyPartSize: 5 * MiB });
    await storage.write('/big.bin', patternSource(13 * MiB + 7));
    const when = new Date('2020-01-02T03:04:05.000Z');
    await storage.setMtime('/big.bin', when);
    await storage.rename('/big.bin', '/moved.bin');
    expect(await sha256Of(storage.read('/moved.bin'))).toEqual(await expectedHash(13 * MiB + 7));
    expect((await storage.stat('/moved.bin')).mtime.toISOString()).toBe(when.toISOString());
    await expectCode(storage.stat('/big.bin'), 'ENOENT');
    expect(count('CopyObjectCommand')).toBe(0);
    if (server() === withCopy) expect(count('UploadPartCopyCommand')).toBeGreaterThanOrEqual(2);
    expect(server().pendingUploads('b')).toEqual([]);
  });

  it('setMtime stores an mtime metadata value that stat prefers over LastModified', async () => {
    const { storage, client, prefix } = setup(withCopy);
    await storage.write('/t.txt', chunks('x'));
    await storage.mkdir('/dir');
    const when = new Date('2001-02-03T04:05:06.000Z');
    await storage.setMtime('/t.txt', when);
    await storage.setMtime('/dir', when);
    expect((await storage.stat('/t.txt')).mtime.toISOString()).toBe(when.toISOString());
    expect((await storage.stat('/dir')).mtime.toISOString()).toBe(when.toISOString());
    const head = await client.send(new HeadObjectCommand({ Bucket: 'b', Key: `${prefix}t.txt` }));
    expect(head.Metadata?.mtime).toBe(when.toISOString());
    expect((await collect(storage.read('/t.txt'))).toString()).toBe('x');
  });

  it('stores keys under the prefix with names the aws CLI reads back unchanged', async () => {
    const { storage } = setup(withCopy, { prefix: 'users/alice/' });
    const names = ['/a+b&c=d.txt', '/sp ace/ü 名前.txt', "/q'uote\"s%25.txt"];
    await storage.mkdir('/sp ace');
    for (const name of names) await storage.write(name, chunks(name));
    await storage.rename('/a+b&c=d.txt', '/sp ace/a+b&c=d.txt');
    if (!(await hasAwsCli())) {
      if (process.env.CI) throw new Error('the aws CLI is missing (pip install awscli)');
      return;
    }
    const listing = await awsCli(withCopy.endpoint, ['s3', 'ls', 's3://b/users/alice/', '--recursive']);
    const keys = listing
      .trim()
      .split('\n')
      .map((line) => line.replace(/^\S+\s+\S+\s+\d+\s/, ''))
      .sort();
    expect(keys).toEqual(
      ['users/alice/q\'uote"s%25.txt', 'users/alice/sp ace/', 'users/alice/sp ace/a+b&c=d.txt', 'users/alice/sp ace/ü 名前.txt'].sort(),
    );
  });
});
