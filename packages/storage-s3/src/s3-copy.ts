import { CopyObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { encodeCopySource } from './s3-keys.js';
import type { ObjectInfo, S3Context } from './s3-context.js';
import { canPartCopy, PartCopyUnsupportedError, uploadComposite, uploadStream, type ObjectAttributes } from './s3-multipart.js';

/**
 * Streams the bytes `[start, end)` of `key` (whole object when `start` is 0 and `end` its size).
 * A `Range` header is sent only for a proper sub-range, never for offset 0 of the whole object.
 */
export async function* readObjectRange(
  ctx: S3Context,
  object: Pick<ObjectInfo, 'key' | 'size' | 'etag'>,
  start: number,
  end: number,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (end <= start) return;
  const whole = start === 0 && end >= object.size;
  const response = await ctx.client.send(
    new GetObjectCommand({
      Bucket: ctx.bucket,
      Key: object.key,
      ...(whole ? {} : { Range: `bytes=${start}-${end - 1}` }),
      ...(object.etag ? { IfMatch: object.etag } : {}),
    }),
    signal ? { abortSignal: signal } : {},
  );
  const body = response.Body as Readable | undefined;
  if (body === undefined) return;
  try {
    for await (const chunk of body) yield chunk as Uint8Array;
  } finally {
    if (!body.readableEnded) body.destroy();
  }
}

/**
 * Copies one object server-side. Up to `multipartCopyThreshold` (S3's 5 GiB CopyObject limit by
 * default) this is one CopyObject; above it a multipart upload of UploadPartCopy parts; where the
 * backend lacks UploadPartCopy the bytes stream through this process. `replace` swaps the user
 * metadata (copy-in-place with `REPLACE` is how MFMT sets `mtime`).
 */
export async function copyObject(
  ctx: S3Context,
  source: ObjectInfo,
  destinationKey: string,
  replace?: ObjectAttributes,
): Promise<void> {
  const attributes: ObjectAttributes = replace ?? { metadata: source.metadata, contentType: source.contentType };
  if (source.size <= ctx.multipartCopyThreshold) {
    await ctx.client.send(
      new CopyObjectCommand({
        Bucket: ctx.bucket,
        Key: destinationKey,
        CopySource: encodeCopySource(ctx.bucket, source.key),
        ...(source.etag ? { CopySourceIfMatch: source.etag } : {}),
        ...(replace
          ? {
              MetadataDirective: 'REPLACE' as const,
              Metadata: replace.metadata ?? {},
              ...(replace.contentType ? { ContentType: replace.contentType } : {}),
            }
          : { MetadataDirective: 'COPY' as const }),
      }),
    );
    return;
  }
  if (canPartCopy(ctx, source.size)) {
    try {
      await uploadComposite(ctx, destinationKey, source, emptySource(), attributes);
      return;
    } catch (err) {
      if (!(err instanceof PartCopyUnsupportedError)) throw err;
      ctx.logger.debug('UploadPartCopy unsupported; copying through this process', { key: source.key });
    }
  }
  await uploadStream(ctx, destinationKey, readObjectRange(ctx, source, 0, source.size), attributes);
}

async function* emptySource(): AsyncGenerator<Uint8Array> {}
