import { StorageError, type StorageErrorCode } from '@ftpkit/storage';

const byName: Record<string, StorageErrorCode> = {
  NoSuchKey: 'ENOENT',
  NotFound: 'ENOENT',
  NoSuchUpload: 'ENOENT',
  AccessDenied: 'EACCES',
  Forbidden: 'EACCES',
  AllAccessDisabled: 'EACCES',
  InvalidAccessKeyId: 'EACCES',
  SignatureDoesNotMatch: 'EACCES',
  ExpiredToken: 'EACCES',
  InvalidObjectState: 'EACCES',
  SlowDown: 'EAGAIN',
  Throttling: 'EAGAIN',
  ThrottlingException: 'EAGAIN',
  RequestLimitExceeded: 'EAGAIN',
  TooManyRequests: 'EAGAIN',
  TooManyRequestsException: 'EAGAIN',
  RequestTimeout: 'EAGAIN',
  RequestTimeTooSkewed: 'EAGAIN',
  ServiceUnavailable: 'EAGAIN',
  InternalError: 'EAGAIN',
  PreconditionFailed: 'EAGAIN',
  ConditionalRequestConflict: 'EAGAIN',
  OperationAborted: 'EAGAIN',
  TimeoutError: 'EAGAIN',
  EntityTooLarge: 'EDQUOT',
  QuotaExceeded: 'EDQUOT',
  InvalidRange: 'EINVAL',
  KeyTooLongError: 'EINVAL',
  InvalidArgument: 'EINVAL',
  EntityTooSmall: 'EINVAL',
  InvalidPart: 'EIO',
  InvalidPartOrder: 'EIO',
  NotImplemented: 'ENOTSUP',
  MethodNotAllowed: 'ENOTSUP',
  NoSuchBucket: 'EIO',
};

const transientNetworkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The S3 error code of an SDK error (`NoSuchKey`, `SlowDown`, ...) or `undefined`. */
export function s3ErrorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const shape = err as SdkErrorShape;
  if (typeof shape.Code === 'string') return shape.Code;
  if (typeof shape.name === 'string' && shape.name !== 'Error') return shape.name;
  return undefined;
}

/** The HTTP status of an SDK error, when there was a response. */
export function s3HttpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  return (err as SdkErrorShape).$metadata?.httpStatusCode;
}

/** True for "the object or upload is not there" (404 / NoSuchKey / NotFound). */
export function isNotFound(err: unknown): boolean {
  const name = s3ErrorName(err);
  return name === 'NoSuchKey' || name === 'NotFound' || s3HttpStatus(err) === 404;
}

/** True when the backend says it lacks an operation (used to fall back from UploadPartCopy). */
export function isNotImplemented(err: unknown): boolean {
  const name = s3ErrorName(err);
  const status = s3HttpStatus(err);
  return name === 'NotImplemented' || name === 'MethodNotAllowed' || status === 501 || status === 405;
}

/**
 * The one place S3 and network failures become `StorageError` codes. Transient conditions
 * (throttling, 5xx, timeouts, resets, a concurrent change) become `EAGAIN`, which the server turns
 * into a 4xx "try again" reply; anything unknown is `EIO`. A `StorageError` passes through.
 */
export function toStorageError(err: unknown, operation: string, path: string): StorageError {
  if (err instanceof StorageError) return err;
  const name = s3ErrorName(err);
  const status = s3HttpStatus(err);
  const message = `${operation} ${path}: ${name ?? 'error'}${
    err instanceof Error && err.message && err.message !== name ? ` (${err.message})` : ''
  }`;
  let code: StorageErrorCode | undefined = name === undefined ? undefined : byName[name];
  if (code === undefined && name === 'AbortError') code = 'EIO';
  if (code === undefined && typeof err === 'object' && err !== null) {
    const errno = (err as SdkErrorShape).code;
    if (typeof errno === 'string' && transientNetworkCodes.has(errno)) code = 'EAGAIN';
  }
  if (code === undefined && status !== undefined) {
    if (status === 404) code = 'ENOENT';
    else if (status === 403 || status === 401) code = 'EACCES';
    else if (status === 429 || status === 503 || status === 500 || status === 502 || status === 504) code = 'EAGAIN';
    else if (status === 501 || status === 405) code = 'ENOTSUP';
    else if (status === 416 || status === 400) code = 'EINVAL';
    else if (status >= 500) code = 'EIO';
  }
  return new StorageError(code ?? 'EIO', message, { cause: err });
}
