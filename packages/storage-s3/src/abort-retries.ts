import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3StorageLogger } from './s3-context.js';
import { isNotFound, s3ErrorName, s3HttpStatus } from './s3-error.js';

/** What identifies one multipart upload to abort. */
export interface PendingAbort {
  Bucket: string | undefined;
  Key: string | undefined;
  UploadId: string | undefined;
}

/** First delay before retrying a failed AbortMultipartUpload; doubled after each failure. */
export const ABORT_RETRY_FIRST_DELAY_MS = 500;
/** The longest wait between two tries. */
export const ABORT_RETRY_MAX_DELAY_MS = 30_000;
/** Default of `abortRetryMs`: how long failed aborts keep being retried. */
export const DEFAULT_ABORT_RETRY_MS = 10 * 60_000;

/**
 * True when a failed AbortMultipartUpload may succeed later: no answer at all (S3 unreachable,
 * reset, timeout), a 5xx, or throttling. A definite 4xx (access denied, bad request) will not.
 */
export function isTransientAbortFailure(err: unknown): boolean {
  const status = s3HttpStatus(err);
  if (status === undefined) return true;
  if (status >= 500 || status === 429 || status === 408) return true;
  const name = s3ErrorName(err);
  return name === 'SlowDown' || name === 'Throttling' || name === 'ThrottlingException' || name === 'RequestTimeout';
}

/**
 * Keeps retrying, in the background, the AbortMultipartUploads that failed while S3 was away, so a
 * failed upload leaves no parts once S3 is back (DESIGN.md: "a failed S3 multipart upload is
 * aborted"). Delays start at 0.5 s and double up to 30 s between tries, for at most `budgetMs`
 * after the first failure. Timers are unref'd so a pending retry never keeps a process alive.
 */
export class AbortRetries {
  readonly #client: S3Client;
  readonly #logger: S3StorageLogger;
  readonly #budgetMs: number;
  readonly #pending = new Map<string, { input: PendingAbort; timer: ReturnType<typeof setTimeout> }>();
  #disposed = false;

  constructor(client: S3Client, logger: S3StorageLogger, budgetMs: number) {
    this.#client = client;
    this.#logger = logger;
    this.#budgetMs = budgetMs;
  }

  /** Uploads whose abort is still being retried. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Sends AbortMultipartUpload once; if that fails transiently, keeps retrying it in the background. */
  async abort(input: PendingAbort): Promise<void> {
    try {
      await this.#send(input);
    } catch (err) {
      this.failed(input, err);
    }
  }

  /** Reports an AbortMultipartUpload that failed with `err` (sent by this package or lib-storage). */
  failed(input: PendingAbort, err: unknown): void {
    const { Key: key, UploadId: uploadId } = input;
    if (uploadId === undefined || isNotFound(err)) return;
    if (this.#disposed || this.#budgetMs === 0 || !isTransientAbortFailure(err)) {
      this.#logger.warn('could not abort multipart upload', { key, uploadId, error: String(err) });
      return;
    }
    if (this.#pending.has(uploadId)) return;
    this.#logger.warn('could not abort multipart upload; retrying in the background', { key, uploadId, error: String(err) });
    this.#schedule(input, ABORT_RETRY_FIRST_DELAY_MS, Date.now() + this.#budgetMs);
  }

  /** Stops the background retries after one last attempt at each pending abort. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    const last = [...this.#pending.values()];
    this.#pending.clear();
    for (const { timer } of last) clearTimeout(timer);
    await Promise.all(
      last.map(async ({ input }) => {
        try {
          await this.#send(input);
        } catch (err) {
          if (!isNotFound(err)) {
            this.#logger.warn('gave up aborting multipart upload', { key: input.Key, uploadId: input.UploadId, error: String(err) });
          }
        }
      }),
    );
  }

  #schedule(input: PendingAbort, delayMs: number, deadline: number): void {
    const uploadId = input.UploadId as string;
    const timer = setTimeout(() => {
      void this.#send(input).then(
        () => {
          this.#pending.delete(uploadId);
          this.#logger.debug('aborted multipart upload after retrying', { key: input.Key, uploadId });
        },
        (err: unknown) => {
          // dispose() took it over (or it was dropped) while this try was on its way.
          if (this.#pending.get(uploadId)?.timer !== timer) return;
          this.#pending.delete(uploadId);
          if (isNotFound(err)) return;
          const next = Math.min(delayMs * 2, ABORT_RETRY_MAX_DELAY_MS);
          if (this.#disposed || !isTransientAbortFailure(err) || Date.now() + next > deadline) {
            this.#logger.warn('gave up aborting multipart upload', { key: input.Key, uploadId, error: String(err) });
            return;
          }
          this.#schedule(input, next, deadline);
        },
      );
    }, delayMs);
    timer.unref();
    this.#pending.set(uploadId, { input, timer });
  }

  async #send(input: PendingAbort): Promise<void> {
    await this.#client.send(new AbortMultipartUploadCommand({ Bucket: input.Bucket, Key: input.Key, UploadId: input.UploadId }));
  }
}
