import { StorageError, type StorageErrorCode } from './storage-error.js';

/**
 * POSIX errno names (as Node's `fs` and memfs report them in `err.code`) mapped to storage codes.
 * Anything not listed becomes `EIO`: the server answers it 451 without leaking the message.
 */
const ERRNO_TO_CODE: Readonly<Record<string, StorageErrorCode>> = {
  ENOENT: 'ENOENT',
  EEXIST: 'EEXIST',
  ENOTDIR: 'ENOTDIR',
  EISDIR: 'EISDIR',
  ENOTEMPTY: 'ENOTEMPTY',
  // Some systems answer rmdir of a non-empty directory with EEXIST; callers that know the
  // operation remap. EBUSY here is a mount point or a file held by another process.
  EACCES: 'EACCES',
  EPERM: 'EACCES',
  EROFS: 'EACCES',
  // O_NOFOLLOW on a symlink: the link is refused, not followed.
  ELOOP: 'EACCES',
  ENOSPC: 'ENOSPC',
  EFBIG: 'ENOSPC',
  EDQUOT: 'EDQUOT',
  ENOTSUP: 'ENOTSUP',
  EOPNOTSUPP: 'ENOTSUP',
  ENOSYS: 'ENOTSUP',
  EXDEV: 'ENOTSUP',
  EINVAL: 'EINVAL',
  ENAMETOOLONG: 'EINVAL',
  EILSEQ: 'EINVAL',
  EAGAIN: 'EAGAIN',
  EWOULDBLOCK: 'EAGAIN',
  EBUSY: 'EAGAIN',
  EMFILE: 'EAGAIN',
  ENFILE: 'EAGAIN',
  EINTR: 'EAGAIN',
  EIO: 'EIO',
};

/**
 * Translates an errno-style error (`err.code` such as `'ENOENT'`) into a `StorageError`; a
 * `StorageError` passes through unchanged. The message names the virtual path only, never a
 * host path, so logs of a shared server do not reveal the disk layout.
 */
export function storageErrorFromErrno(err: unknown, virtualPath?: string): StorageError {
  if (err instanceof StorageError) return err;
  const errno =
    typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
      ? err.code
      : undefined;
  const code = (errno !== undefined ? ERRNO_TO_CODE[errno] : undefined) ?? 'EIO';
  const where = virtualPath === undefined ? '' : ` ${virtualPath}`;
  return new StorageError(code, `${errno ?? 'error'}${where}`, { cause: err });
}
