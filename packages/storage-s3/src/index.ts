export { s3Storage, S3StorageAdapter, MTIME_METADATA_KEY, type S3StorageOptions } from './s3-storage.js';
export type { S3StorageLogger } from './s3-context.js';
export { toStorageError } from './s3-error.js';
export { encodeCopySource, normalizePrefix } from './s3-keys.js';
export { parseS3Url, type S3Location } from './s3-url.js';
export { DEFAULT_STALE_UPLOAD_MS } from './s3-sweep.js';
