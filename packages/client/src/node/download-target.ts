import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { access, mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FtpLocalError } from '../errors.js';
import { FileBatchWriter } from '@ftpkit/transport';

/** How a download writes its local file. */
export interface DownloadTargetOptions {
  /** Continue the file in place from `offset` (it is a partial the caller asked to resume). */
  inPlace: boolean;
  /** Where the first byte goes (the REST offset). */
  offset: number;
  /** Make missing parent directories; otherwise a missing parent is an error. */
  createDirs: boolean;
  /** Bytes per file write batch. */
  highWaterMark: number;
  /** Told about each chunk once it is in the file (its buffer may then be reused). */
  written?: (chunk: Uint8Array) => void;
}

/**
 * The local side of a download to a path. A fresh download goes to a hidden temporary file next
 * to the target (`.NAME.ftpkit-XXXXXXXX.part`), renamed over the target only on success and
 * removed on failure: a failed download never touches an existing file and leaves nothing behind.
 * A target that exists and is not a regular file (`/dev/null`, a FIFO) is written as it is.
 * A resumed download (`inPlace`) writes into the target itself, so what arrived stays as a partial
 * file to resume from. Either way the file is opened at the first byte (or at the end for an empty
 * file), so a refused RETR creates nothing; a write that fails is reported by the next call.
 */
export class DownloadTarget {
  private fh: FileHandle | undefined;
  private writer: FileBatchWriter | undefined;
  private readonly temp: string | undefined;

  private constructor(
    readonly path: string,
    private readonly opts: DownloadTargetOptions,
    /** `/dev/null`, a FIFO, a terminal: written as it is, never replaced by a rename. */
    private readonly special: boolean,
  ) {
    this.temp = opts.inPlace || special ? undefined : temporaryPathFor(path);
  }

  /** Checks the parent directory (or makes it with `createDirs`) before anything is transferred. */
  static async prepare(path: string, opts: DownloadTargetOptions): Promise<DownloadTarget> {
    const existing = await checkLocalTarget(path, opts.createDirs);
    return new DownloadTarget(path, opts, existing !== undefined && !existing.isFile());
  }

  /**
   * Takes one chunk: written in batches of about `highWaterMark`, one write in flight while the
   * next batch gathers (backpressure: waits when a batch is ready and the previous write is not
   * done). The chunk goes to `opts.written` once it is in the file.
   */
  async write(chunk: Buffer): Promise<void> {
    const writer = this.writer ?? await this.open();
    try {
      await writer.write(chunk);
    } catch (err) {
      throw localError(`cannot write ${this.path}`, this.path, err);
    }
  }

  /** The transfer succeeded: flush, close and put the file in place. */
  async commit(): Promise<void> {
    const writer = this.writer ?? await this.open();
    try {
      await writer.finish();
      await this.fh?.close();
      this.fh = undefined;
    } catch (err) {
      await this.discard();
      throw localError(`cannot write ${this.path}`, this.path, err);
    }
    if (this.temp) {
      await rename(this.temp, this.path).catch(async (err: unknown) => {
        await unlink(this.temp ?? '').catch(() => undefined);
        throw localError(`cannot replace ${this.path}`, this.path, err);
      });
    }
  }

  /**
   * The transfer failed: a temporary file is closed and removed; a resumed file keeps what was
   * received (written out, so the next resume starts after the last byte on disk).
   */
  async discard(): Promise<void> {
    const { writer, fh } = this;
    this.fh = undefined;
    if (!writer || !fh) return;
    if (this.temp || this.special) await writer.abandon();
    else await writer.finish().catch(() => undefined);
    await fh.close().catch(() => undefined);
    if (this.temp) await unlink(this.temp).catch(() => undefined);
  }

  private async open(): Promise<FileBatchWriter> {
    let fh: FileHandle;
    let position: number | null = 0;
    try {
      if (this.temp) {
        fh = await open(this.temp, 'wx');
      } else if (this.special) {
        fh = await open(this.path, 'w');
        // A FIFO or a terminal cannot seek.
        position = null;
      } else {
        const { offset } = this.opts;
        // Only now, with data (or success) in hand, is a longer file cut back to the resume point.
        fh = await open(this.path, 'a+');
        try {
          await fh.truncate(offset);
        } finally {
          await fh.close();
        }
        fh = await open(this.path, 'r+');
        position = offset;
      }
    } catch (err) {
      throw localError(`cannot open ${this.path}`, this.path, err);
    }
    this.fh = fh;
    this.writer = new FileBatchWriter(fh, position, {
      batchBytes: this.opts.highWaterMark,
      ...(this.opts.written === undefined ? {} : { written: this.opts.written }),
    });
    return this.writer;
  }
}

/** A hidden name next to `path` for writing it before it is complete. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.ftpkit-${randomBytes(4).toString('hex')}.part`);
}

/**
 * Before a download: the parent directory must exist (or is made with `createDirs`) and `path`
 * must not be a directory. FtpLocalError otherwise, before anything is transferred.
 */
export async function checkLocalTarget(path: string, createDirs: boolean): Promise<Stats | undefined> {
  const dir = dirname(path);
  if (createDirs) {
    await mkdir(dir, { recursive: true }).catch((err: unknown) => { throw localError(`cannot create the directory ${dir}`, dir, err); });
  } else {
    const st = await stat(dir).catch((err: unknown) => {
      throw localError(`cannot write ${path}: the directory ${dir} does not exist`, dir, err);
    });
    if (!st.isDirectory()) throw new FtpLocalError(`cannot write ${path}: ${dir} is not a directory`, dir);
  }
  await access(dir, constants.W_OK).catch((err: unknown) => { throw localError(`cannot write in ${dir}`, dir, err); });
  const target = await stat(path).catch(() => undefined);
  if (target?.isDirectory()) throw new FtpLocalError(`cannot write ${path}: it is a directory`, path);
  return target;
}

/** @internal */
export function localError(message: string, path: string, cause: unknown): FtpLocalError {
  if (cause instanceof FtpLocalError) return cause;
  const reason = (cause as { code?: string }).code;
  return new FtpLocalError(reason ? `${message} (${reason})` : message, path, { cause });
}
