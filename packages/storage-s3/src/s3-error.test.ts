import { StorageError } from '@ftpkit/storage';
import { describe, expect, it } from 'vitest';
import { isNotFound, isNotImplemented, toStorageError } from './s3-error.js';

/** Errors shaped the way @aws-sdk/client-s3 throws them (name = S3 code, $metadata.httpStatusCode). */
function sdkError(name: string, status?: number): Error {
  return Object.assign(new Error(`${name} message`), {
    name,
    $fault: status !== undefined && status >= 500 ? 'server' : 'client',
    $metadata: status === undefined ? {} : { httpStatusCode: status },
  });
}

describe('toStorageError', () => {
  it.each([
    ['NoSuchKey', 404, 'ENOENT'],
    ['NotFound', 404, 'ENOENT'],
    ['AccessDenied', 403, 'EACCES'],
    ['InvalidAccessKeyId', 403, 'EACCES'],
    ['SlowDown', 503, 'EAGAIN'],
    ['ThrottlingException', 400, 'EAGAIN'],
    ['InternalError', 500, 'EAGAIN'],
    ['RequestTimeout', 400, 'EAGAIN'],
    ['PreconditionFailed', 412, 'EAGAIN'],
    ['EntityTooLarge', 400, 'EDQUOT'],
    ['InvalidRange', 416, 'EINVAL'],
    ['KeyTooLongError', 400, 'EINVAL'],
    ['NotImplemented', 501, 'ENOTSUP'],
    ['NoSuchBucket', 404, 'EIO'],
    ['SomethingNew', 507, 'EIO'],
    ['SomethingNew', 502, 'EAGAIN'],
    ['SomethingNew', 429, 'EAGAIN'],
    ['SomethingNew', 403, 'EACCES'],
  ] as const)('%s (%i) -> %s', (name, status, code) => {
    const mapped = toStorageError(sdkError(name, status), 'stat', '/x');
    expect(mapped).toBeInstanceOf(StorageError);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toContain('stat /x');
    expect(mapped.cause).toBeInstanceOf(Error);
  });

  it('maps network failures to EAGAIN and unknown errors to EIO', () => {
    expect(toStorageError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'read', '/f').code).toBe('EAGAIN');
    expect(toStorageError(new Error('what'), 'read', '/f').code).toBe('EIO');
    expect(toStorageError('a string', 'read', '/f').code).toBe('EIO');
  });

  it('passes a StorageError through', () => {
    const err = new StorageError('ENOTEMPTY');
    expect(toStorageError(err, 'rmdir', '/d')).toBe(err);
  });

  it('recognises not-found and not-implemented answers', () => {
    expect(isNotFound(sdkError('NotFound', 404))).toBe(true);
    expect(isNotFound(sdkError('Unknown', 404))).toBe(true);
    expect(isNotFound(sdkError('AccessDenied', 403))).toBe(false);
    expect(isNotImplemented(sdkError('NotImplemented', 501))).toBe(true);
    expect(isNotImplemented(sdkError('MethodNotAllowed', 405))).toBe(true);
    expect(isNotImplemented(sdkError('InternalError', 500))).toBe(false);
  });
});
