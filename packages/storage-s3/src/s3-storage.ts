import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import {
  StorageError,
  type FileStat,
  type ReadOptions,
  type StorageAdapter,
  type SweepOptions,
  type SweepResult,
  type UploadMode,
  type WriteOptions,
  type WriteResult,
} from '@ftpkit/storage';
import { AbortRetries, DEFAULT_ABORT_RETRY_MS } from './abort-retries.js';
import { abortReason, forEachLimited, guardSource, type ByteCounter } from './guarded-source.js';
import { copyObject, readObjectRange } from './s3-copy.js';
import { GiB, MAX_COPY_SIZE, MAX_PARTS, MiB, MIN_PART_SIZE, type ObjectInfo, type S3Context, type S3StorageLogger } from './s3-context.js';
import { isNotFound, toStorageError } from './s3-error.js';
import { baseName, createKeyMap, parentOf, relativeKey, unlistableReason } from './s3-keys.js';
import { DEFAULT_STALE_UPLOAD_MS, sweepStaleUploads } from './s3-sweep.js';
import { canPartCopy, PartCopyUnsupportedError, uploadComposite, uploadStream, type ObjectAttributes } from './s3-multipart.js';

/**
 * Options of {@link s3Storage}. Give either `client` (used as is, never destroyed by the adapter) or
 * `clientConfig` (the adapter builds and owns a client). Credentials follow the SDK's usual chain
 * (environment, shared config files, instance roles) unless `clientConfig.credentials` is set.
 */
export interface S3StorageOptions {
  bucket: string;
  /** Key prefix serving as `/`, e.g. `users/alice/`. Default: the whole bucket. */
  prefix?: string;
  client?: S3Client;
  clientConfig?: S3ClientConfig;
  /** Multipart part size in bytes. Default 8 MiB; at least 5 MiB (S3's minimum). */
  partSize?: number;
  /** Parts uploaded at once per transfer. Default 4. Memory per upload ≈ partSize × (queueSize + 1). */
  queueSize?: number;
  /** MaxKeys of each ListObjectsV2 page. Default 1000 (S3's maximum). */
  listPageSize?: number;
  /** Keys copied at once by a directory rename. Default 8. */
  renameConcurrency?: number;
  /** Objects larger than this are copied with UploadPartCopy parts instead of CopyObject. Default 5 GiB. */
  multipartCopyThreshold?: number;
  /** Source bytes per UploadPartCopy part. Default 1 GiB; between 5 MiB and 2.5 GiB. */
  copyPartSize?: number;
  /**
   * Whether the backend serves UploadPartCopy. `'auto'` (default) tries it and, on
   * NotImplemented/405/501, remembers the answer and streams bytes through this process instead.
   */
  uploadPartCopy?: boolean | 'auto';
  /**
   * Forces this upload mode on every write, whatever `WriteOptions.uploadMode` asks. `'atomic'`
   * means a broken or aborted upload never leaves an object behind (the multipart upload is
   * aborted); `'resumable'` means it stores what was received. Default: follow the caller (whose
   * default is `resumable`).
   */
  uploadMode?: UploadMode;
  /**
   * How long (ms) an AbortMultipartUpload that failed transiently (network, 5xx, throttling) keeps
   * being retried in the background, 0.5 s doubling up to 30 s between tries, so a failed upload
   * leaves no parts once S3 is back. `dispose()` makes one last try and stops. 0 disables the
   * retries. Default 600000 (10 minutes).
   */
  abortRetryMs?: number;
  /**
   * `sweepTemporary` aborts incomplete multipart uploads under the prefix initiated more than this
   * long ago (ms): uploads a killed or crashed process could not abort. Default 86400000 (one day),
   * so uploads still running in another instance sharing the bucket are left alone.
   */
  staleUploadMs?: number;
  /** Receives debug notes (skipped keys, fallbacks) and warnings. Default: silent. */
  logger?: S3StorageLogger;
}

const silentLogger: S3StorageLogger = { debug: () => undefined, warn: () => undefined };
const EPOCH = new Date(0);
/** The user-metadata key MFMT sets; it overrides LastModified in `stat`. */
export const MTIME_METADATA_KEY = 'mtime';

function positiveInteger(value: number | undefined, fallback: number, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const result = value ?? fallback;
  if (!Number.isSafeInteger(result) || result < min || result > max) {
    throw new RangeError(`s3Storage: ${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return result;
}

/**
 * A `StorageAdapter` over an S3 bucket (or a prefix of it): uploads stream through multipart
 * uploads with bounded memory, reads are ranged for REST, directories are key prefixes (with or
 * without a `dir/` marker object), rename is copy + delete (not atomic for directories).
 * See the package README for how FTP operations map to S3 requests.
 */
export function s3Storage(options: S3StorageOptions): S3StorageAdapter {
  return new S3StorageAdapter(options);
}

/** The adapter class behind {@link s3Storage}; exported for `instanceof` and typing. */
export class S3StorageAdapter implements StorageAdapter {
  private readonly ctx: S3Context;
  private readonly ownsClient: boolean;
  private readonly forcedUploadMode: UploadMode | undefined;
  private readonly staleUploadMs: number;

  constructor(options: S3StorageOptions) {
    if (!options.bucket) throw new TypeError('s3Storage: bucket is required');
    if (options.client && options.clientConfig) throw new TypeError('s3Storage: give client or clientConfig, not both');
    this.ownsClient = options.client === undefined;
    this.forcedUploadMode = options.uploadMode;
    this.staleUploadMs = positiveInteger(options.staleUploadMs, DEFAULT_STALE_UPLOAD_MS, 'staleUploadMs', 0);
    const client = options.client ?? new S3Client(options.clientConfig ?? {});
    const partCopy = options.uploadPartCopy ?? 'auto';
    const logger = options.logger ?? silentLogger;
    const abortRetryMs = positiveInteger(options.abortRetryMs, DEFAULT_ABORT_RETRY_MS, 'abortRetryMs', 0);
    this.ctx = {
      client,
      bucket: options.bucket,
      keys: createKeyMap(options.prefix),
      partSize: positiveInteger(options.partSize, 8 * MiB, 'partSize', MIN_PART_SIZE, MAX_COPY_SIZE),
      queueSize: positiveInteger(options.queueSize, 4, 'queueSize', 1, 64),
      listPageSize: positiveInteger(options.listPageSize, 1000, 'listPageSize', 1, 1000),
      renameConcurrency: positiveInteger(options.renameConcurrency, 8, 'renameConcurrency', 1, 256),
      multipartCopyThreshold: positiveInteger(options.multipartCopyThreshold, MAX_COPY_SIZE, 'multipartCopyThreshold', 0, MAX_COPY_SIZE),
      copyPartSize: positiveInteger(options.copyPartSize, GiB, 'copyPartSize', MIN_PART_SIZE, MAX_COPY_SIZE / 2),
      logger,
      aborts: new AbortRetries(client, logger, abortRetryMs),
      partCopySupported: partCopy === 'auto' ? undefined : partCopy,
    };
  }

  /** The S3 client in use (the given one, or the one built from `clientConfig`). */
  get client(): S3Client {
    return this.ctx.client;
  }

  /** `s3://bucket/key`: adapters on one bucket (any prefixes) agree on what is the same object. */
  lockKey(path: string): string {
    return `s3://${this.ctx.bucket}/${this.ctx.keys.dirPrefix(path)}`;
  }

  async stat(path: string): Promise<FileStat> {
    if (isRoot(path)) return dirStat('/', EPOCH);
    try {
      const object = await this.head(this.ctx.keys.fileKey(path));
      if (object) return fileStat(path, object);
      const dir = await this.statDir(path);
      if (dir) return dir;
      throw new StorageError('ENOENT', `stat ${path}: no such file or directory`);
    } catch (err) {
      throw toStorageError(err, 'stat', path);
    }
  }

  async *list(dir: string, opts: { signal?: AbortSignal } = {}): AsyncIterable<FileStat> {
    const { keys, logger } = this.ctx;
    const prefix = keys.dirPrefix(dir);
    let token: string | undefined;
    let first = true;
    try {
      // Bounded by S3 itself: each page either ends the listing or carries a new token.
      for (;;) {
        opts.signal?.throwIfAborted();
        const page: ListObjectsV2CommandOutput = await this.ctx.client.send(
          new ListObjectsV2Command({
            Bucket: this.ctx.bucket,
            Prefix: prefix,
            Delimiter: '/',
            MaxKeys: this.ctx.listPageSize,
            ...(token ? { ContinuationToken: token } : {}),
          }),
          opts.signal ? { abortSignal: opts.signal } : {},
        );
        const contents = page.Contents ?? [];
        const prefixes = page.CommonPrefixes ?? [];
        if (first && !isRoot(dir) && contents.length === 0 && prefixes.length === 0) {
          if (await this.head(keys.fileKey(dir))) throw new StorageError('ENOTDIR', `list ${dir}: not a directory`);
          throw new StorageError('ENOENT', `list ${dir}: no such directory`);
        }
        first = false;
        const entries: Array<{ sortKey: string; stat: FileStat }> = [];
        const fileNames = new Set<string>();
        for (const object of contents) {
          const key = object.Key;
          if (key === undefined || key === prefix) continue;
          const name = key.slice(prefix.length);
          const reason = unlistableReason(name);
          if (reason !== undefined) {
            logger.debug('skipping S3 key that is not an FTP name', { key, reason });
            continue;
          }
          fileNames.add(name);
          entries.push({
            sortKey: key,
            stat: {
              name,
              path: joinPath(dir, name),
              type: 'file',
              size: object.Size ?? 0,
              mtime: object.LastModified ?? EPOCH,
            },
          });
        }
        for (const common of prefixes) {
          const commonPrefix = common.Prefix;
          if (commonPrefix === undefined) continue;
          const name = commonPrefix.slice(prefix.length, -1);
          const reason = unlistableReason(name);
          if (reason !== undefined) {
            logger.debug('skipping S3 prefix that is not an FTP name', { prefix: commonPrefix, reason });
            continue;
          }
          if (fileNames.has(name)) {
            logger.debug('skipping S3 prefix that shadows a file of the same name', { prefix: commonPrefix });
            continue;
          }
          entries.push({ sortKey: commonPrefix, stat: dirStat(joinPath(dir, name), EPOCH) });
        }
        entries.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
        for (const entry of entries) yield entry.stat;
        if (!page.IsTruncated) return;
        if (!page.NextContinuationToken) throw new StorageError('EIO', `list ${dir}: truncated page without a continuation token`);
        token = page.NextContinuationToken;
      }
    } catch (err) {
      throw toStorageError(err, 'list', dir);
    }
  }

  async *read(path: string, opts: ReadOptions = {}): AsyncIterable<Uint8Array> {
    const start = opts.start ?? 0;
    opts.signal?.throwIfAborted();
    if (!Number.isSafeInteger(start) || start < 0) throw new StorageError('EINVAL', `read ${path}: bad offset ${start}`);
    if (isRoot(path)) throw new StorageError('EISDIR', `read ${path}: is a directory`);
    const key = this.ctx.keys.fileKey(path);
    let object: Pick<ObjectInfo, 'key' | 'size' | 'etag'>;
    if (start === 0) {
      // One request: GetObject of the whole object, without Range (which s3rver and some gateways
      // mishandle on 0-byte objects).
      object = { key, size: Number.POSITIVE_INFINITY, etag: undefined };
    } else {
      try {
        const found = await this.head(key);
        if (found === undefined) throw new StorageError((await this.statDir(path)) ? 'EISDIR' : 'ENOENT', `read ${path}: no such file`);
        object = found;
      } catch (err) {
        throw toStorageError(err, 'read', path);
      }
      // At or past the end there is nothing to send; asking S3 for it would be a 416 (or, on some
      // servers, a reset connection for a 0-byte object).
      if (start >= object.size) return;
    }
    let started = false;
    try {
      for await (const chunk of readObjectRange(this.ctx, object, start, object.size, opts.signal)) {
        started = true;
        yield chunk;
        opts.signal?.throwIfAborted();
      }
    } catch (err) {
      if (opts.signal?.aborted && err === opts.signal.reason) throw err;
      if (!started && isNotFound(err)) {
        let dir: FileStat | undefined;
        try {
          dir = await this.statDir(path);
        } catch (statErr) {
          throw toStorageError(statErr, 'read', path);
        }
        throw new StorageError(dir ? 'EISDIR' : 'ENOENT', `read ${path}: no such file`, { cause: err });
      }
      throw toStorageError(err, 'read', path);
    }
  }

  /**
   * STOR, APPE and REST + STOR. Every write is one new object (a multipart upload when larger than
   * a part), visible only when complete. `uploadMode` decides what a source error or abort leaves:
   * `atomic` aborts the multipart upload (no object, no parts, the old object untouched);
   * `resumable` completes it with the bytes consumed so far, as a partial file on disk would be, so
   * REST/APPE can resume; both then rethrow the source's error. A failure of S3 itself always
   * aborts, leaving the old object.
   */
  async write(path: string, data: AsyncIterable<Uint8Array>, opts: WriteOptions = {}): Promise<WriteResult> {
    const counter: ByteCounter = { bytes: 0 };
    const resumable = (this.forcedUploadMode ?? opts.uploadMode ?? 'resumable') === 'resumable';
    // A refused part stops the reading at once instead of after the whole source was uploaded.
    const storageFailed = new AbortController();
    const onS3Failure = (error: unknown): void => storageFailed.abort(error);
    // Atomic: an abort at any point before the commit request keeps the object from appearing.
    const commitUnless = resumable ? undefined : opts.signal;
    const source = guardSource(data, counter, {
      signal: opts.signal,
      cancel: storageFailed.signal,
      // S3 allows 10,000 parts: a larger upload would fail at the end, so refuse it as it crosses.
      maxBytes: this.ctx.partSize * MAX_PARTS,
      onFailure: resumable ? 'end' : 'throw',
    });
    try {
      if (isRoot(path)) throw new StorageError('EISDIR', `write ${path}: is a directory`);
      opts.signal?.throwIfAborted();
      const start = opts.start ?? 0;
      if (!Number.isSafeInteger(start) || start < 0) throw new StorageError('EINVAL', `write ${path}: bad offset ${start}`);
      const key = this.ctx.keys.fileKey(path);
      const parent = parentOf(path);
      const [existing, dir, parentDir] = await Promise.all([this.head(key), this.statDir(path), this.statDir(parent)]);
      if (!parentDir) await this.requireDir(parent, 'write');
      if (existing === undefined && dir) throw new StorageError('EISDIR', `write ${path}: is a directory`);
      const append = opts.mode === 'append';
      const size = existing?.size ?? 0;
      const offset = append ? size : start;
      if (offset > size) throw new StorageError('EINVAL', `write ${path}: offset ${offset} is past the end (${size})`);
      // REST + STOR (even REST 0) overwrites from the offset and keeps what follows.
      const keepTail = !append && opts.start !== undefined;
      if (existing === undefined || (offset === 0 && (!keepTail || size === 0))) {
        await uploadStream(this.ctx, key, source, {}, onS3Failure, commitUnless);
      } else {
        await this.writeAfter(key, existing, offset, source, counter, keepTail, opts.signal, onS3Failure, commitUnless);
      }
    } catch (err) {
      // Not awaited: a source stalled on its peer may never settle.
      source.return(undefined).catch(() => undefined);
      // The source's own failure (a reset data connection, an ABOR) is not a storage failure;
      // it is passed on unchanged so the server can report it as what it is.
      if (counter.failure !== undefined && err === counter.failure.error) throw err;
      if (opts.signal?.aborted && err === opts.signal.reason) throw err;
      // lib-storage reports its own "Upload aborted." when the commit was stopped by our signal.
      if (commitUnless?.aborted) throw counter.failure?.error ?? abortReason(commitUnless);
      throw toStorageError(err, 'write', path);
    }
    if (counter.failure !== undefined) throw counter.failure.error;
    // Resumable: the bytes are stored, but an upload aborted before it was done is no success.
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    return { bytes: counter.bytes };
  }

  /**
   * REST + STOR and APPE: a new object made of the existing bytes before `offset`, the new data,
   * and (REST inside the file) the existing bytes after what was written. The prefix is copied
   * server-side when it is large enough and the backend has UploadPartCopy, else streamed through.
   * The old object stays until the new one completes.
   */
  private async writeAfter(
    key: string,
    existing: ObjectInfo,
    offset: number,
    data: AsyncGenerator<Uint8Array>,
    counter: ByteCounter,
    keepTail: boolean,
    signal: AbortSignal | undefined,
    onS3Failure: (error: unknown) => void,
    commitUnless: AbortSignal | undefined,
  ): Promise<void> {
    const ctx = this.ctx;
    const attributes: ObjectAttributes = {
      metadata: withoutMtime(existing.metadata),
      ...(existing.contentType ? { contentType: existing.contentType } : {}),
    };
    async function* dataThenTail(): AsyncGenerator<Uint8Array> {
      yield* data;
      const tailStart = offset + counter.bytes;
      if (keepTail && tailStart < existing.size) {
        yield* readObjectRange(ctx, existing, tailStart, existing.size, signal);
      }
    }
    if (canPartCopy(ctx, offset)) {
      try {
        await uploadComposite(ctx, key, { key, size: offset, etag: existing.etag }, dataThenTail(), attributes, onS3Failure, commitUnless);
        return;
      } catch (err) {
        if (!(err instanceof PartCopyUnsupportedError)) throw err;
        ctx.logger.debug('UploadPartCopy unsupported; streaming existing bytes through', { key });
      }
    }
    async function* headThenRest(): AsyncGenerator<Uint8Array> {
      yield* readObjectRange(ctx, existing, 0, offset, signal);
      yield* dataThenTail();
    }
    await uploadStream(ctx, key, headThenRest(), attributes, onS3Failure, commitUnless);
  }


  async mkdir(path: string): Promise<void> {
    try {
      if (isRoot(path)) throw new StorageError('EEXIST', 'mkdir /: exists');
      if ((await this.head(this.ctx.keys.fileKey(path))) || (await this.statDir(path))) {
        throw new StorageError('EEXIST', `mkdir ${path}: exists`);
      }
      await this.requireDir(parentOf(path), 'mkdir');
      await this.putMarker(path);
    } catch (err) {
      throw toStorageError(err, 'mkdir', path);
    }
  }

  async rmdir(path: string): Promise<void> {
    try {
      if (isRoot(path)) throw new StorageError('EACCES', 'rmdir /: cannot remove the root');
      const prefix = this.ctx.keys.dirPrefix(path);
      const page = await this.ctx.client.send(
        new ListObjectsV2Command({ Bucket: this.ctx.bucket, Prefix: prefix, MaxKeys: 2 }),
      );
      const found = (page.Contents ?? []).map((object) => object.Key);
      if (found.length === 0) {
        if (await this.head(this.ctx.keys.fileKey(path))) throw new StorageError('ENOTDIR', `rmdir ${path}: not a directory`);
        throw new StorageError('ENOENT', `rmdir ${path}: no such directory`);
      }
      if (found.some((key) => key !== prefix)) throw new StorageError('ENOTEMPTY', `rmdir ${path}: not empty`);
      await this.ctx.client.send(new DeleteObjectCommand({ Bucket: this.ctx.bucket, Key: prefix }));
      await this.keepDir(parentOf(path));
    } catch (err) {
      throw toStorageError(err, 'rmdir', path);
    }
  }

  async delete(path: string): Promise<void> {
    try {
      if (isRoot(path)) throw new StorageError('EISDIR', 'delete /: is a directory');
      const key = this.ctx.keys.fileKey(path);
      if (!(await this.head(key))) {
        throw new StorageError((await this.statDir(path)) ? 'EISDIR' : 'ENOENT', `delete ${path}: no such file`);
      }
      await this.ctx.client.send(new DeleteObjectCommand({ Bucket: this.ctx.bucket, Key: key }));
      await this.keepDir(parentOf(path));
    } catch (err) {
      throw toStorageError(err, 'delete', path);
    }
  }

  /**
   * A file: CopyObject (multipart copy above 5 GiB) then DeleteObject. A directory: every key under
   * the prefix is copied and its source deleted, `renameConcurrency` at a time. Not atomic: other
   * clients may see both names for a while, and a directory rename that fails part-way leaves some
   * keys moved; no source is deleted unless its copy succeeded, so nothing is lost.
   */
  async rename(from: string, to: string): Promise<void> {
    try {
      if (isRoot(from) || isRoot(to)) throw new StorageError('EACCES', `rename ${from} -> ${to}: cannot rename the root`);
      const source = await this.head(this.ctx.keys.fileKey(from));
      const sourceDir = source ? undefined : await this.statDir(from);
      if (!source && !sourceDir) throw new StorageError('ENOENT', `rename ${from}: no such file or directory`);
      if (from === to) return;
      await this.requireDir(parentOf(to), 'rename');
      const target = await this.head(this.ctx.keys.fileKey(to));
      const targetDir = target ? undefined : await this.statDir(to);
      if (source) {
        if (targetDir) throw new StorageError('EISDIR', `rename ${from} -> ${to}: target is a directory`);
        await copyObject(this.ctx, source, this.ctx.keys.fileKey(to));
        await this.ctx.client.send(new DeleteObjectCommand({ Bucket: this.ctx.bucket, Key: source.key }));
      } else {
        if (to.startsWith(`${from}/`)) throw new StorageError('EINVAL', `rename ${from} -> ${to}: target inside source`);
        if (target) throw new StorageError('ENOTDIR', `rename ${from} -> ${to}: target is a file`);
        if (targetDir) throw new StorageError('EEXIST', `rename ${from} -> ${to}: target exists`);
        await this.renameDir(from, to);
      }
      await this.keepDir(parentOf(from));
    } catch (err) {
      throw toStorageError(err, 'rename', `${from} -> ${to}`);
    }
  }

  private async renameDir(from: string, to: string): Promise<void> {
    const ctx = this.ctx;
    const fromPrefix = ctx.keys.dirPrefix(from);
    const toPrefix = ctx.keys.dirPrefix(to);
    const failures: Array<{ key: string; error: unknown }> = [];
    let total = 0;
    let token: string | undefined;
    for (;;) {
      const page: ListObjectsV2CommandOutput = await ctx.client.send(
        new ListObjectsV2Command({
          Bucket: ctx.bucket,
          Prefix: fromPrefix,
          MaxKeys: ctx.listPageSize,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      const objects = (page.Contents ?? []).filter((object) => object.Key !== undefined);
      total += objects.length;
      await forEachLimited(objects, ctx.renameConcurrency, async (object) => {
        const key = object.Key as string;
        try {
          const info: ObjectInfo =
            (object.Size ?? 0) > ctx.multipartCopyThreshold
              ? ((await this.head(key)) ?? missing(key))
              : { key, size: object.Size ?? 0, lastModified: object.LastModified ?? EPOCH, etag: object.ETag, metadata: {}, contentType: undefined };
          await copyObject(ctx, info, toPrefix + key.slice(fromPrefix.length));
        } catch (error) {
          failures.push({ key, error });
          return;
        }
        try {
          await ctx.client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: key }));
        } catch (error) {
          failures.push({ key, error });
        }
      });
      if (!page.IsTruncated || !page.NextContinuationToken) break;
      token = page.NextContinuationToken;
    }
    if (failures.length > 0) {
      const first = toStorageError(failures[0]?.error, 'rename', `${from} -> ${to}`);
      ctx.logger.warn('directory rename failed part-way', { from, to, failed: failures.map((f) => f.key), total });
      throw new StorageError(
        first.code,
        `rename ${from} -> ${to}: ${failures.length} of ${total} keys not moved (their sources are kept; the rest moved)`,
        { cause: new AggregateError(failures.map((f) => f.error)) },
      );
    }
  }

  /** MFMT: copies the object onto itself with its metadata replaced, `mtime` set to `mtime`. */
  async setMtime(path: string, mtime: Date): Promise<void> {
    try {
      if (Number.isNaN(mtime.getTime())) throw new StorageError('EINVAL', `setMtime ${path}: invalid date`);
      let object = isRoot(path) ? undefined : await this.head(this.ctx.keys.fileKey(path));
      if (!object) {
        const dir = isRoot(path) ? dirStat('/', EPOCH) : await this.statDir(path);
        if (!dir) throw new StorageError('ENOENT', `setMtime ${path}: no such file or directory`);
        const marker = this.ctx.keys.dirPrefix(path);
        if (isRoot(path) && marker === '') throw new StorageError('ENOTSUP', 'setMtime /: the bucket root has no marker');
        object = await this.head(marker);
        if (!object) {
          await this.putMarker(path, { [MTIME_METADATA_KEY]: mtime.toISOString() });
          return;
        }
      }
      await copyObject(this.ctx, object, object.key, {
        metadata: { ...object.metadata, [MTIME_METADATA_KEY]: mtime.toISOString() },
        ...(object.contentType ? { contentType: object.contentType } : {}),
      });
    } catch (err) {
      throw toStorageError(err, 'setMtime', path);
    }
  }

  /** Aborts the stale incomplete multipart uploads under the prefix (see `staleUploadMs`). */
  sweepTemporary(options?: SweepOptions): Promise<SweepResult> {
    return sweepStaleUploads(this.ctx, this.staleUploadMs, options);
  }

  /** Makes one last try at the aborts still being retried, then destroys an owned client. */
  async dispose(): Promise<void> {
    await this.ctx.aborts.dispose();
    if (this.ownsClient) this.ctx.client.destroy();
  }

  private async head(key: string): Promise<ObjectInfo | undefined> {
    if (key === '') return undefined;
    try {
      const head = await this.ctx.client.send(new HeadObjectCommand({ Bucket: this.ctx.bucket, Key: key }));
      return {
        key,
        size: head.ContentLength ?? 0,
        lastModified: head.LastModified ?? EPOCH,
        etag: head.ETag,
        metadata: head.Metadata ?? {},
        contentType: head.ContentType,
      };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The directory at `path` if any key lives under its prefix (marker or not). */
  private async statDir(path: string): Promise<FileStat | undefined> {
    if (isRoot(path)) return dirStat('/', EPOCH);
    const prefix = this.ctx.keys.dirPrefix(path);
    const page = await this.ctx.client.send(
      new ListObjectsV2Command({ Bucket: this.ctx.bucket, Prefix: prefix, MaxKeys: 1 }),
    );
    const first = page.Contents?.[0];
    if (first === undefined) return undefined;
    if (first.Key !== prefix) return dirStat(path, EPOCH);
    const marker = await this.head(prefix);
    return dirStat(path, marker ? mtimeOf(marker) : (first.LastModified ?? EPOCH));
  }

  private async requireDir(path: string, operation: string): Promise<void> {
    if (isRoot(path)) return;
    if (await this.statDir(path)) return;
    if (await this.head(this.ctx.keys.fileKey(path))) throw new StorageError('ENOTDIR', `${operation}: ${path} is not a directory`);
    throw new StorageError('ENOENT', `${operation}: ${path} does not exist`);
  }

  private async putMarker(path: string, metadata?: Record<string, string>): Promise<void> {
    await this.ctx.client.send(
      new PutObjectCommand({
        Bucket: this.ctx.bucket,
        Key: this.ctx.keys.dirPrefix(path),
        Body: new Uint8Array(0),
        ContentLength: 0,
        ...(metadata ? { Metadata: metadata } : {}),
      }),
    );
  }

  /**
   * A directory without a marker exists only while keys live under it; after removing the last
   * one, write a marker so that deleting a file does not also make its directory vanish.
   */
  private async keepDir(path: string): Promise<void> {
    if (isRoot(path)) return;
    const page = await this.ctx.client.send(
      new ListObjectsV2Command({ Bucket: this.ctx.bucket, Prefix: this.ctx.keys.dirPrefix(path), MaxKeys: 1 }),
    );
    if ((page.Contents ?? []).length === 0) await this.putMarker(path);
  }
}

/** True for `/` (and its spellings such as `///`); throws EINVAL for a path that is not normalised. */
function isRoot(path: string): boolean {
  return relativeKey(path) === '';
}

function missing(key: string): never {
  throw new StorageError('ENOENT', `${key}: vanished during rename`);
}

function joinPath(dir: string, name: string): string {
  return isRoot(dir) ? `/${name}` : `${dir}/${name}`;
}

function dirStat(path: string, mtime: Date): FileStat {
  return { name: baseName(path), path, type: 'dir', size: 0, mtime };
}

function mtimeOf(object: ObjectInfo): Date {
  const value = object.metadata[MTIME_METADATA_KEY];
  if (value !== undefined) {
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  return object.lastModified;
}

function fileStat(path: string, object: ObjectInfo): FileStat {
  return { name: baseName(path), path, type: 'file', size: object.size, mtime: mtimeOf(object) };
}

function withoutMtime(metadata: Record<string, string>): Record<string, string> {
  const { [MTIME_METADATA_KEY]: _dropped, ...rest } = metadata;
  return rest;
}
