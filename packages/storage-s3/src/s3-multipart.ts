import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { isNotImplemented } from './s3-error.js';
import { encodeCopySource } from './s3-keys.js';
import { MIN_PART_SIZE, type S3Context } from './s3-context.js';
import { abortReason, forEachLimited } from './guarded-source.js';

/** Thrown (after the multipart upload was aborted) when the backend lacks UploadPartCopy. */
export class PartCopyUnsupportedError extends Error {
  override readonly name = 'PartCopyUnsupportedError';
}

export interface ObjectAttributes {
  metadata?: Record<string, string>;
  contentType?: string;
}

/**
 * Streams `body` into `key` through lib-storage's `Upload`: parts of `partSize`, at most
 * `queueSize` in flight, so memory stays near `partSize × (queueSize + 1)`. The object appears only
 * when the upload completes; if `body` throws, the multipart upload is aborted (no parts left) and
 * that error is rethrown, and a previous object at `key` is untouched.
 */
export async function uploadStream(
  ctx: S3Context,
  key: string,
  body: AsyncIterable<Uint8Array>,
  attributes: ObjectAttributes = {},
  onS3Failure?: (error: unknown) => void,
  commitUnless?: AbortSignal,
): Promise<void> {
  const readable = Readable.from(body, { objectMode: false, highWaterMark: 64 * 1024 });
  const upload = new Upload({
    // lib-storage keeps reading the body after a part fails (its other workers carry on until the
    // source ends); reporting the failure lets the caller stop the source at once.
    // Its AbortMultipartUpload is sent once; a failed one is handed to `ctx.aborts` to retry.
    client: watchingFailures(ctx, onS3Failure, commitUnless),
    params: {
      Bucket: ctx.bucket,
      Key: key,
      Body: readable,
      ...(attributes.metadata ? { Metadata: attributes.metadata } : {}),
      ...(attributes.contentType ? { ContentType: attributes.contentType } : {}),
    },
    partSize: ctx.partSize,
    queueSize: ctx.queueSize,
    leavePartsOnError: false,
  });
  try {
    await upload.done();
  } catch (err) {
    readable.destroy();
    throw err;
  }
}

/**
 * `ctx.client` with `send` reporting each failed request to `onFailure` and each failed
 * AbortMultipartUpload to `ctx.aborts` (and still rejecting). Once `commitUnless` has aborted, the
 * request that would make the object appear (PutObject, CompleteMultipartUpload) fails instead
 * of being sent: the last moment to keep an aborted upload from committing, however long its
 * last parts took. lib-storage then aborts the multipart upload before `done()` rejects.
 */
function watchingFailures(ctx: S3Context, onFailure?: (error: unknown) => void, commitUnless?: AbortSignal): S3Client {
  const client = ctx.client;
  const send = ((...args: Parameters<S3Client['send']>) => {
    if (commitUnless?.aborted && isCommitCommand(args[0])) return Promise.reject(abortReason(commitUnless));
    return (client.send as (...a: Parameters<S3Client['send']>) => Promise<unknown>)(...args).catch((error: unknown) => {
      const command = args[0];
      if (isAbortCommand(command)) ctx.aborts.failed(command.input, error);
      onFailure?.(error);
      throw error;
    });
  }) as S3Client['send'];
  return new Proxy(client, {
    get: (target, property, receiver) => (property === 'send' ? send : Reflect.get(target, property, receiver)),
  });
}

/** The requests that make an upload's object appear. By name too (see `isAbortCommand`). */
function isCommitCommand(command: unknown): boolean {
  if (command instanceof CompleteMultipartUploadCommand || command instanceof PutObjectCommand) return true;
  const name = typeof command === 'object' && command !== null ? command.constructor.name : '';
  return name === 'CompleteMultipartUploadCommand' || name === 'PutObjectCommand';
}

/** By name too: a bundle may hold lib-storage's copy of the SDK classes besides ours. */
function isAbortCommand(command: unknown): command is AbortMultipartUploadCommand {
  return (
    command instanceof AbortMultipartUploadCommand ||
    (typeof command === 'object' && command !== null && command.constructor.name === 'AbortMultipartUploadCommand')
  );
}

/**
 * Splits `[0, size)` into copy ranges (inclusive ends) of at least `partSize` bytes each (S3's
 * 5 MiB minimum holds for every part but the last of an upload, and more data may follow these),
 * and under `2 × partSize`.
 */
export function splitCopyRanges(size: number, partSize: number): Array<[number, number]> {
  const count = Math.max(1, Math.floor(size / partSize));
  const ranges: Array<[number, number]> = [];
  const base = Math.floor(size / count);
  let start = 0;
  for (let i = 0; i < count; i++) {
    const length = i === count - 1 ? size - start : base;
    ranges.push([start, start + length - 1]);
    start += length;
  }
  return ranges;
}

export interface CompositeSource {
  /** Bytes `[0, size)` of this object are copied server-side first. */
  key: string;
  size: number;
  etag: string | undefined;
}

/**
 * Builds `key` as one multipart upload: first the bytes `[0, copy.size)` of `copy.key` by
 * UploadPartCopy (no bytes through this process), then `rest` streamed in `partSize` parts with at
 * most `queueSize` in flight. On any failure the multipart upload is aborted and nothing changes.
 * When the backend lacks UploadPartCopy this throws `PartCopyUnsupportedError` before `rest` has
 * been touched, so the caller can fall back to streaming.
 */
export async function uploadComposite(
  ctx: S3Context,
  key: string,
  copy: CompositeSource,
  rest: AsyncIterable<Uint8Array>,
  attributes: ObjectAttributes = {},
  onS3Failure?: (error: unknown) => void,
  commitUnless?: AbortSignal,
): Promise<void> {
  const created = await ctx.client.send(
    new CreateMultipartUploadCommand({
      Bucket: ctx.bucket,
      Key: key,
      ...(attributes.metadata ? { Metadata: attributes.metadata } : {}),
      ...(attributes.contentType ? { ContentType: attributes.contentType } : {}),
    }),
  );
  const uploadId = created.UploadId;
  if (uploadId === undefined) throw new Error('CreateMultipartUpload returned no UploadId');
  const parts: CompletedPart[] = [];
  try {
    const ranges = splitCopyRanges(copy.size, ctx.copyPartSize);
    try {
      await forEachLimited(
        ranges.map((range, index) => ({ range, partNumber: index + 1 })),
        ctx.queueSize,
        async ({ range, partNumber }) => {
          const result = await ctx.client.send(
            new UploadPartCopyCommand({
              Bucket: ctx.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: partNumber,
              CopySource: encodeCopySource(ctx.bucket, copy.key),
              CopySourceRange: `bytes=${range[0]}-${range[1]}`,
              ...(copy.etag ? { CopySourceIfMatch: copy.etag } : {}),
            }),
          );
          parts.push({ PartNumber: partNumber, ETag: result.CopyPartResult?.ETag });
        },
      );
      ctx.partCopySupported = true;
    } catch (err) {
      if (isNotImplemented(err)) {
        ctx.partCopySupported = false;
        throw new PartCopyUnsupportedError('UploadPartCopy is not implemented by this backend', { cause: err });
      }
      throw err;
    }
    await uploadParts(ctx, key, uploadId, ranges.length + 1, rest, parts, onS3Failure);
    parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    if (commitUnless?.aborted) throw abortReason(commitUnless);
    await ctx.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: ctx.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (err) {
    await ctx.aborts.abort({ Bucket: ctx.bucket, Key: key, UploadId: uploadId });
    throw err;
  }
}

/** Streams `source` as parts `firstPart, firstPart + 1, ...` of an open multipart upload. */
async function uploadParts(
  ctx: S3Context,
  key: string,
  uploadId: string,
  firstPart: number,
  source: AsyncIterable<Uint8Array>,
  parts: CompletedPart[],
  onS3Failure?: (error: unknown) => void,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let partNumber = firstPart;
  const send = (body: Uint8Array): void => {
    const number = partNumber++;
    const promise = ctx.client
      .send(new UploadPartCommand({ Bucket: ctx.bucket, Key: key, UploadId: uploadId, PartNumber: number, Body: body }))
      .then(
        (result) => {
          parts.push({ PartNumber: number, ETag: result.ETag });
        },
        (error: unknown) => {
          failure ??= { error };
          onS3Failure?.(error);
        },
      )
      .finally(() => inFlight.delete(promise));
    inFlight.add(promise);
  };
  // One preallocated buffer per part: the bytes are copied once from the source chunks, and no
  // part ever holds on to a larger concatenation.
  let part = Buffer.allocUnsafeSlow(ctx.partSize);
  let filled = 0;
  try {
    for await (const chunk of source) {
      let used = 0;
      while (used < chunk.byteLength) {
        const take = Math.min(chunk.byteLength - used, ctx.partSize - filled);
        part.set(chunk.subarray(used, used + take), filled);
        filled += take;
        used += take;
        if (filled === ctx.partSize) {
          send(part);
          part = Buffer.allocUnsafeSlow(ctx.partSize);
          filled = 0;
          while (inFlight.size >= ctx.queueSize && failure === undefined) await Promise.race(inFlight);
          if (failure !== undefined) throw failure.error;
        }
      }
    }
    if (filled > 0) send(part.subarray(0, filled));
  } finally {
    await Promise.all(inFlight);
  }
  if (failure !== undefined) throw failure.error;
}

/** True when `size` bytes are worth copying server-side and the backend may support it. */
export function canPartCopy(ctx: S3Context, size: number): boolean {
  return size >= MIN_PART_SIZE && ctx.partCopySupported !== false;
}
