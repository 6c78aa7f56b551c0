import { AbortMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { SweepOptions, SweepResult } from '@ftpkit/storage';
import type { S3Context } from './s3-context.js';
import { isNotImplemented } from './s3-error.js';

/** Default of `staleUploadMs`: one day, as the lifecycle rule docs/production.md recommends. */
export const DEFAULT_STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

/** ListMultipartUploads pages read at most by one sweep (1,000 uploads each). */
const MAX_PAGES = 100;

/**
 * Aborts the incomplete multipart uploads under the adapter's prefix that were initiated more
 * than `staleMs` ago: uploads whose process died (SIGKILL, a crash, a lost network) before it could
 * complete or abort them. Uploads younger than that are left alone, since another instance
 * serving the same bucket may still be sending them. A backend without ListMultipartUploads
 * (405/501) yields `complete: false` and a warning; the bucket's lifecycle rule
 * (AbortIncompleteMultipartUpload) then does the cleaning.
 */
export async function sweepStaleUploads(ctx: S3Context, staleMs: number, options: SweepOptions = {}): Promise<SweepResult> {
  const result: SweepResult = { removed: 0, bytes: 0, failed: 0, complete: true };
  const cutoff = Date.now() - staleMs;
  const signal = options.signal;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    if (signal?.aborted) break;
    let listed;
    try {
      listed = await ctx.client.send(
        new ListMultipartUploadsCommand({
          Bucket: ctx.bucket,
          ...(ctx.keys.prefix === '' ? {} : { Prefix: ctx.keys.prefix }),
          ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker }),
          ...(uploadIdMarker === undefined ? {} : { UploadIdMarker: uploadIdMarker }),
        }),
        signal === undefined ? {} : { abortSignal: signal },
      );
    } catch (err) {
      if (isNotImplemented(err)) ctx.logger.warn('ListMultipartUploads is not supported: stale multipart uploads are left to the bucket lifecycle rule', { bucket: ctx.bucket });
      else ctx.logger.warn('ListMultipartUploads failed: stale multipart uploads not swept', { bucket: ctx.bucket, error: String(err) });
      result.complete = false;
      return result;
    }
    for (const upload of listed.Uploads ?? []) {
      const { Key, UploadId, Initiated } = upload;
      if (Key === undefined || UploadId === undefined || Initiated === undefined || Initiated.getTime() > cutoff) continue;
      try {
        await ctx.client.send(new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key, UploadId }));
        result.removed++;
      } catch {
        result.failed++;
      }
    }
    if (listed.IsTruncated !== true) return result;
    keyMarker = listed.NextKeyMarker;
    uploadIdMarker = listed.NextUploadIdMarker;
  }
  result.complete = false;
  return result;
}
