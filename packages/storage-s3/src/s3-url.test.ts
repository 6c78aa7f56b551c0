import { describe, expect, it } from 'vitest';
import { parseS3Url } from './s3-url.js';

describe('parseS3Url', () => {
  it('parses buckets and prefixes', () => {
    expect(parseS3Url('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://my-bucket/')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://my-bucket/users/alice/')).toEqual({ bucket: 'my-bucket', prefix: 'users/alice/' });
    expect(parseS3Url('S3://b.example/users/al%20ice')).toEqual({ bucket: 'b.example', prefix: 'users/al ice/' });
  });

  it('refuses what is not an s3 URL', () => {
    for (const bad of ['http://b/x', 's3://', 's3://UPPER/x', 's3://b/x?y', '/local/dir', 's3://ok-bucket/%zz']) {
      expect(() => parseS3Url(bad), bad).toThrow(TypeError);
    }
  });
});
