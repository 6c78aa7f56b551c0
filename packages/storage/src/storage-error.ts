/**
 * The only error an adapter may throw. Adapters translate their own failures (errno, memfs,
 * S3) into one of these codes; the server turns codes into replies in one table.
 */
export type StorageErrorCode =
  | 'ENOENT'
  | 'EEXIST'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOTEMPTY'
  | 'EACCES'
  | 'ENOSPC'
  | 'EDQUOT'
  | 'ENOTSUP'
  | 'EINVAL'
  | 'EIO'
  | 'EAGAIN'
  /** An upload asked to continue at an offset where there is nothing of it to continue. */
  | 'ERANGE'
  /** The path is in use by another transfer of this server (see the server's path locks). */
  | 'EBUSY';

/** A storage failure with a stable code. `message` is for logs, never for the FTP peer. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string = code,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for a StorageError, optionally with one of the given codes. */
export function isStorageError(err: unknown, ...codes: StorageErrorCode[]): err is StorageError {
  return err instanceof StorageError && (codes.length === 0 || codes.includes(err.code));
}
