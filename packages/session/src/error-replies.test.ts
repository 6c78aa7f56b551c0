import { DataChannelError } from '@ftpkit/codec';
import { StorageError } from '@ftpkit/storage';
import { describe, expect, it } from 'vitest';
import { replyForError, replyForFailure } from './error-replies.js';

describe('the error-to-reply table', () => {
  it.each([
    ['ENOENT', 550], ['EEXIST', 550], ['ENOTDIR', 550], ['EISDIR', 550], ['ENOTEMPTY', 550], ['EACCES', 550],
    ['ENOSPC', 452], ['EDQUOT', 552], ['ENOTSUP', 502], ['EINVAL', 553], ['EIO', 451], ['EAGAIN', 451], ['EBUSY', 450],
  ] as const)('StorageError %s -> %i', (code, reply) => {
    const r = replyForError(new StorageError(code, 'do not leak me'));
    expect(r.code).toBe(reply);
    expect(r.text).not.toContain('leak');
  });

  it.each([
    ['timeout', 425], ['refused', 425], ['peer-mismatch', 425], ['tls', 425], ['not-prepared', 425], ['reset', 426],
  ] as const)('DataChannelError %s -> %i', (code, reply) => {
    expect(replyForError(new DataChannelError(code, 'do not leak me')).code).toBe(reply);
  });

  it('anything else is 451 with a fixed text', () => {
    for (const e of [new Error('secret'), 'secret', null, undefined, 42, { code: 'ENOENT' }, { name: 'StorageError', code: 'EWHAT' }]) {
      const r = replyForError(e);
      expect(r.code).toBe(451);
      expect(r.text).not.toContain('secret');
    }
  });

  it('recognises errors by name and code, so a second copy of a package still maps', () => {
    expect(replyForError({ name: 'StorageError', code: 'EDQUOT', message: 'x' }).code).toBe(552);
    expect(replyForError({ name: 'DataChannelError', code: 'reset' }).code).toBe(426);
  });

  it('an aborted outcome is 426 whatever its error', () => {
    expect(replyForFailure({ ok: false, aborted: true, error: new StorageError('ENOSPC') }).code).toBe(426);
  });
});
