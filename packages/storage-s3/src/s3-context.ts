import type { S3Client } from '@aws-sdk/client-s3';
import type { AbortRetries } from './abort-retries.js';
import type { KeyMap } from './s3-keys.js';

/** Where the adapter reports what it skipped or fell back from. Pino, console and similar fit. */
export interface S3StorageLogger {
  debug(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

/** Resolved settings shared by the adapter's parts. */
export interface S3Context {
  readonly client: S3Client;
  readonly bucket: string;
  readonly keys: KeyMap;
  readonly partSize: number;
  readonly queueSize: number;
  readonly listPageSize: number;
  readonly renameConcurrency: number;
  readonly multipartCopyThreshold: number;
  readonly copyPartSize: number;
  readonly logger: S3StorageLogger;
  /** Sends AbortMultipartUpload and retries the ones that fail while S3 is away. */
  readonly aborts: AbortRetries;
  /** `undefined` until the backend has answered an UploadPartCopy (auto mode). */
  partCopySupported: boolean | undefined;
}

/** What HeadObject told us about an object. */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
  etag: string | undefined;
  metadata: Record<string, string>;
  contentType: string | undefined;
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
/** S3's smallest part (except the last) and the smallest source worth an UploadPartCopy. */
export const MIN_PART_SIZE = 5 * MiB;
/** S3's largest single CopyObject / UploadPartCopy source. */
export const MAX_COPY_SIZE = 5 * GiB;
/** S3's most parts in one multipart upload. */
export const MAX_PARTS = 10_000;
