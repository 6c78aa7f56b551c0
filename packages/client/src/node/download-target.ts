import { randomBytes } from 'node:crypto';
import { constants, createWriteStream, type Stats, type WriteStream } from 'node:fs';
import { access, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FtpLocalError } from '../errors.js';
import { closed, endStream, writeTo } from './streams.js';

/** How a download writes its local file. */
export interface DownloadTargetOptions {
  /** Continue the file in place from `offset` (it is a partial the caller asked to resume). */
  inPlace: boolean;
  /** Where the first byte goes (the REST offset). */
  offset: number;
  /** Make missing parent directories; otherwise a missing parent is an error. */
  createDirs: boolean;
  highWaterMark: number;
}

/**
 * The local side of a download to a path. A fresh download goes to a hidden temporary file next
 * to the target (`.NAME.ftpkit-XXXXXXXX.part`), renamed over the target only on success and
 * removed on failure: a failed download never touches an existing file and leaves nothing behind.
 * A target that exists and is not a regular file (`/dev/null`, a FIFO) is written as it is.
 * A resumed download (`inPlace`) writes into the target itself, so what arrived stays as a partial
 * file to resume from. Either way the file is opened at the first byte (or at the end for an empty
 * file), so a refused RETR creates nothing, and the stream's 'error' always has a listener: an
 * abort while a write is pending cannot crash the process.
 */
export class DownloadTarget {
  private sink: WriteStream | undefined;
  private failure: Error | undefined;
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

  /** Writes one chunk, with backpressure. */
  async write(chunk: Buffer): Promise<void> {
    const sink = this.sink ?? await this.open();
    if (this.failure) throw this.failure;
    try {
      await writeTo(sink, chunk);
    } catch (err) {
      throw this.failure ?? localError(`cannot write ${this.path}`, this.path, err);
    }
  }

  /** The transfer succeeded: flush, close and put the file in place. */
  async commit(): Promise<void> {
    const sink = this.sink ?? await this.open();
    try {
      await endStream(sink);
      await closed(sink);
    } catch (err) {
      await this.discard();
      throw localError(`cannot write ${this.path}`, this.path, this.failure ?? err);
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
   * written (flushed, so the next resume starts after the last byte on disk).
   */
  async discard(): Promise<void> {
    const sink = this.sink;
    if (!sink) return;
    if (this.temp) {
      sink.destroy();
      await closed(sink);
      await unlink(this.temp).catch(() => undefined);
      return;
    }
    if (this.special) {
      sink.destroy();
      await closed(sink);
      return;
    }
    try {
      await endStream(sink);
    } catch {
      sink.destroy();
    }
    await closed(sink);
  }

  private async open(): Promise<WriteStream> {
    let sink: WriteStream;
    if (this.temp) {
      sink = createWriteStream(this.temp, { flags: 'wx', highWaterMark: this.opts.highWaterMark });
    } else if (this.special) {
      sink = createWriteStream(this.path, { flags: 'w', highWaterMark: this.opts.highWaterMark });
    } else {
      const { offset } = this.opts;
      // Only now, with data (or success) in hand, is a longer file cut back to the resume point.
      const fh = await open(this.path, 'a+').catch((err: unknown) => { throw localError(`cannot open ${this.path}`, this.path, err); });
      try {
        await fh.truncate(offset);
      } finally {
        await fh.close();
      }
      sink = createWriteStream(this.path, { flags: 'r+', start: offset, highWaterMark: this.opts.highWaterMark });
    }
    sink.on('error', (err) => { this.failure ??= localError(`cannot write ${this.path}`, this.path, err); });
    this.sink = sink;
    return sink;
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
