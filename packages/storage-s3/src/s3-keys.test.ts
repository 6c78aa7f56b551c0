import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { baseName, createKeyMap, encodeCopySource, normalizePrefix, parentOf, unlistableReason } from './s3-keys.js';
import { splitCopyRanges } from './s3-multipart.js';
import { s3Storage } from './s3-storage.js';

describe('key mapping', () => {
  it('normalises prefixes', () => {
    expect(normalizePrefix(undefined)).toBe('');
    expect(normalizePrefix('/')).toBe('');
    expect(normalizePrefix('/users/alice')).toBe('users/alice/');
    expect(normalizePrefix('users/alice///')).toBe('users/alice/');
  });

  it('maps paths to keys and back', () => {
    const keys = createKeyMap('p/');
    expect(keys.fileKey('/a/b.txt')).toBe('p/a/b.txt');
    expect(keys.dirPrefix('/')).toBe('p/');
    expect(keys.dirPrefix('/a/b')).toBe('p/a/b/');
    expect(keys.pathOf('p/a/b/')).toBe('/a/b');
    expect(createKeyMap(undefined).dirPrefix('/')).toBe('');
    expect(parentOf('/a/b')).toBe('/a');
    expect(parentOf('/a')).toBe('/');
    expect(baseName('/a/b c')).toBe('b c');
  });

  it('refuses paths that are not normalised, and the root as a file', () => {
    const keys = createKeyMap('jail/root/');
    for (const bad of ['/..', '/a/../b', '../secret.txt', '/a//b', '/./a', 'x\0y', '/a/.']) {
      expect(() => keys.fileKey(bad), bad).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(() => keys.dirPrefix(bad), bad).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
    expect(() => keys.fileKey('/')).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(keys.fileKey('/.../a\\b')).toBe('jail/root/.../a\\b');
    expect(keys.fileKey('relative/x/')).toBe('jail/root/relative/x');
    expect(keys.fileKey('//x')).toBe('jail/root/x');
  });

  it('encodes copy sources per segment', () => {
    expect(encodeCopySource('bkt', 'dir a/x+y&z=1%2.txt')).toBe('bkt/dir%20a/x%2By%26z%3D1%252.txt');
    expect(encodeCopySource('bkt', 'ü/名前?#')).toBe('bkt/%C3%BC/%E5%90%8D%E5%89%8D%3F%23');
  });

  it('names keys that cannot be FTP names', () => {
    expect(unlistableReason('ok name.txt')).toBeUndefined();
    expect(unlistableReason('')).toMatch(/\/\//);
    expect(unlistableReason('.')).toBeDefined();
    expect(unlistableReason('..')).toBeDefined();
    expect(unlistableReason('a\r\nb')).toBeDefined();
    expect(unlistableReason('nul\0')).toBeDefined();
  });
});

describe('splitCopyRanges', () => {
  const MiB = 1 << 20;
  it.each([5 * MiB, 5 * MiB + 1, 13 * MiB + 7, 9 * MiB, 100 * MiB + 3])('covers %i bytes in parts of at least the part size', (size) => {
    const ranges = splitCopyRanges(size, 5 * MiB);
    expect(ranges[0]?.[0]).toBe(0);
    expect(ranges.at(-1)?.[1]).toBe(size - 1);
    for (let i = 0; i < ranges.length; i++) {
      const [start, end] = ranges[i] as [number, number];
      expect(end - start + 1).toBeGreaterThanOrEqual(5 * MiB);
      expect(end - start + 1).toBeLessThan(10 * MiB);
      if (i > 0) expect(start).toBe((ranges[i - 1] as [number, number])[1] + 1);
    }
  });
});

describe('lockKey', () => {
  it('adapters on one bucket with nested prefixes name one object alike; other buckets differ', () => {
    const client = new S3Client({ region: 'us-east-1' });
    const whole = s3Storage({ bucket: 'b', client });
    const alice = s3Storage({ bucket: 'b', prefix: 'users/alice', client });
    expect(alice.lockKey('/a.txt')).toBe(whole.lockKey('/users/alice/a.txt'));
    expect(alice.lockKey('/a.txt')).not.toBe(whole.lockKey('/a.txt'));
    expect(s3Storage({ bucket: 'c', prefix: 'users/alice', client }).lockKey('/a.txt')).not.toBe(alice.lockKey('/a.txt'));
    client.destroy();
  });
});
