import { parseMdtm, parseQuotedPath, type ListEntry, type Reply } from '@ftpkit/codec';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat as statLocal } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { activeDialog, passiveDialog, type ActiveMode, type PassiveMode } from '../data-channel-dialog.js';
import { describeCommand, expectReply, NO_REPLY, type Dialog } from '../dialog.js';
import {
  FtpAbortError, FtpConnectionError, FtpError, FtpLimitError, FtpProtocolError, FtpReplyError, FtpTimeoutError,
  FtpLocalError, FtpUnsupportedError,
} from '../errors.js';
import { hashAlgorithms, type Features } from '../features.js';
import { parseListListing, parseMlsdListing, parseMlstReply } from '../listing.js';
import { loginDialog } from '../login-dialog.js';
import { mkdirDialog, renameDialog } from '../mkdir-dialog.js';
import { assertSafeName, joinRemote, remoteBasename, remoteDirname } from '../remote-path.js';
import { UploadAckEstimate } from '../upload-ack.js';
import { ControlChannel } from './control-channel.js';
import { connectPassiveData, listenActiveData, type DataSocket, type PreparedData } from './data-channel.js';
import { DownloadTarget, localError } from './download-target.js';
import { resolveOptions, type FtpClientOptions, type ResolvedOptions } from './options.js';
import { endStream, writeTo } from './streams.js';
import { BufferPool, SocketReceiver } from '@ftpkit/transport';

/** Progress of one transfer. */
export interface TransferProgress {
  /** Remote path. */
  path: string;
  /** Bytes moved by this call (across retries). */
  bytes: number;
  /** Where the transfer started in the file (resume offset). */
  offset: number;
  /** Full size when known (offset + remaining). */
  total?: number;
}

/** Options every transfer takes. */
export interface TransferOptions {
  signal?: AbortSignal | undefined;
  /**
   * Bytes moved so far. Downloads: received and written out. Uploads: nothing before the server's
   * 150, a chunk once the next could be written, the last only after the server's 226.
   */
  onProgress?: ((p: TransferProgress) => void) | undefined;
}

export interface DownloadOptions extends TransferOptions {
  /**
   * Start at this byte (REST). Default 0, or the local size with `resume`. A local path is then
   * written in place from this offset, like `resume`.
   */
  offset?: number | undefined;
  /**
   * Continue a partial local file from its size. The file is written in place, so after a failure
   * what arrived stays there to resume from. Without `resume` (or `offset`) a download goes to a
   * temporary file next to the target and replaces it only when complete: a failed download leaves
   * an existing file untouched and creates nothing.
   */
  resume?: boolean | undefined;
  /** Make the local path's missing parent directories. Default false: a missing directory is an FtpLocalError. */
  createDirs?: boolean | undefined;
  /** End a Writable destination when done. Default true. */
  end?: boolean | undefined;
}

export interface UploadOptions extends TransferOptions {
  /** APPE instead of STOR. */
  append?: boolean | undefined;
  /** Continue from the remote file's size (APPE of the rest). */
  resume?: boolean | undefined;
}

/** What a transfer did. */
export interface TransferResult {
  bytes: number;
  offset: number;
  retries: number;
}

interface TransferSpec extends TransferOptions {
  verb: string;
  arg?: string;
  rest?: number;
  /** Download into this function; it applies backpressure by returning a promise. */
  write?: (chunk: Buffer) => Promise<void> | void;
  /** Upload from this stream. */
  source?: AsyncIterable<Buffer | Uint8Array | string>;
  /** Stop after this many bytes (segments): ABOR the rest. */
  limit?: number;
  /** Called with each chunk count (progress before the caller's own bookkeeping). */
  count?: (n: number) => void;
}

const IAC_IP_DM = Uint8Array.from([255, 244, 255, 242]);

function isRetryable(err: unknown): boolean {
  if (err instanceof FtpAbortError) return false;
  if (err instanceof FtpReplyError) return [421, 425, 426, 450, 451].includes(err.replyCode);
  if (err instanceof FtpConnectionError || err instanceof FtpTimeoutError) return true;
  const code = (err as { code?: string }).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/** 554 to APPE/REST: the server has nothing to resume from (an atomic-mode server). */
function nothingToResume(err: unknown): boolean {
  return err instanceof FtpReplyError && err.replyCode === 554;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * An FTP/FTPS connection. Operations on one client run one at a time, in call order; use
 * {@link FtpPool} or {@link downloadSegmented} for parallel transfers.
 */
export class FtpClient {
  private ctrl!: ControlChannel;
  private queue: Promise<unknown> = Promise.resolve();
  private busy = 0;
  private lastUse = Date.now();
  private keepalive: NodeJS.Timeout | undefined;
  private passiveMode: PassiveMode | undefined;
  private activeMode: ActiveMode | undefined;
  private protectedData = false;
  private closedByUser = false;
  private currentDir = '/';
  private feats: Features = new Map();
  /** Reused buffers of downloads: read into, written to the file, given back (see DownloadTarget). */
  #bufferPool: BufferPool | undefined;
  /** Things the client chose to ignore (e.g. a PASV address), for logs. */
  readonly warnings: string[] = [];
  /** The options in force; `password` reads '***' so that logging the client never shows it. */
  readonly options: Readonly<ResolvedOptions>;
  readonly #password: string;

  private constructor(options: ResolvedOptions) {
    this.#password = options.password;
    this.options = Object.freeze({ ...options, password: options.password ? '***' : '' });
  }

  /**
   * Connects and logs in. `input` is a URL (`ftp://user:pass@host:port`, `ftps://` for implicit TLS)
   * or options; `extra` overrides what the URL says (e.g. `{ secure: 'explicit', ca }`).
   */
  static async connect(input: string | FtpClientOptions, extra: Partial<FtpClientOptions> = {}): Promise<FtpClient> {
    const client = new FtpClient(resolveOptions(input, extra));
    await client.open();
    if (client.options.keepaliveInterval > 0) client.startKeepalive();
    return client;
  }

  /** Another connection with the same options (for pools). */
  clone(): Promise<FtpClient> {
    return FtpClient.connect({ ...this.options, password: this.#password });
  }

  private async open(): Promise<void> {
    this.ctrl = await ControlChannel.open(this.options);
    try {
      const result = await this.runDialog(loginDialog({
        user: this.options.user,
        password: this.#password,
        secure: this.options.secure,
        ...(this.options.account !== undefined ? { account: this.options.account } : {}),
      }));
      this.feats = result.features;
      this.protectedData = result.protectedData;
      if (this.currentDir !== '/' ) {
        // Reconnecting: go back where we were.
        expectReply(await this.ctrl.command('CWD', this.currentDir), [250, 2], describeCommand('CWD', this.currentDir));
      } else {
        this.currentDir = result.cwd;
      }
    } catch (err) {
      this.ctrl.destroy();
      throw err;
    }
  }

  private startKeepalive(): void {
    const every = this.options.keepaliveInterval;
    this.keepalive = setInterval(() => {
      if (this.busy > 0 || this.closedByUser || this.ctrl.closedWith) return;
      if (Date.now() - this.lastUse < every) return;
      void this.exclusive(async () => { await this.ctrl.command('NOOP'); }).catch(() => undefined);
    }, Math.max(250, Math.floor(every / 2)));
    this.keepalive.unref();
  }

  /** Runs a conversation generator against the control connection. */
  private async runDialog<T>(dialog: Dialog<T>): Promise<T> {
    let next = dialog.next();
    while (!next.done) {
      const step = next.value;
      let reply: Reply;
      try {
        if (step.type === 'read') reply = await this.ctrl.nextReply();
        else if (step.type === 'upgrade-tls') {
          await this.ctrl.upgradeTls();
          reply = NO_REPLY;
        } else reply = await this.ctrl.command(step.verb, step.arg);
      } catch (err) {
        next = dialog.throw(err);
        continue;
      }
      next = dialog.next(reply);
    }
    return next.value;
  }

  /** Runs `fn` after every earlier operation; reconnects first if the connection dropped. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closedByUser) throw new FtpConnectionError('the client is closed');
      this.busy++;
      try {
        if (this.ctrl.closedWith) await this.reconnect();
        return await fn();
      } finally {
        this.busy--;
        this.lastUse = Date.now();
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Drops the control connection and logs in again, returning to the same directory. */
  private async reconnect(): Promise<void> {
    this.ctrl.destroy();
    await this.open();
  }

  /** The features the server listed in FEAT (upper-case name -> parameters). */
  get features(): Features {
    return this.feats;
  }

  /** True when the data connections are TLS-protected. */
  get secure(): boolean {
    return this.protectedData;
  }

  private async cmd(verb: string, arg: string | undefined, ok: readonly number[]): Promise<Reply> {
    return expectReply(await this.ctrl.command(verb, arg), ok, describeCommand(verb, arg));
  }

  /** Sends a raw command line ("SITE CHMOD 644 a") and returns the final reply; never throws for 4xx/5xx. */
  send(line: string): Promise<Reply> {
    const space = line.indexOf(' ');
    const verb = space < 0 ? line : line.slice(0, space);
    const arg = space < 0 ? undefined : line.slice(space + 1);
    return this.exclusive(() => this.ctrl.command(verb, arg));
  }

  /** The working directory. @see RFC 959 §4.1.3 (PWD) */
  pwd(): Promise<string> {
    return this.exclusive(async () => {
      const r = await this.cmd('PWD', undefined, [257]);
      return parseQuotedPath(r.text);
    });
  }

  /** Changes the working directory. */
  cd(path: string): Promise<string> {
    return this.exclusive(async () => {
      await this.cmd('CWD', path, [250, 2]);
      const r = await this.ctrl.command('PWD');
      this.currentDir = r.code === 257 ? parseQuotedPath(r.text) : path;
      return this.currentDir;
    });
  }

  /** Size in bytes (SIZE, in TYPE I). @see RFC 3659 §4 */
  size(path: string): Promise<number> {
    return this.exclusive(() => this.sizeUnlocked(path));
  }

  private async sizeUnlocked(path: string): Promise<number> {
    const r = await this.cmd('SIZE', path, [213]);
    const n = Number(r.text.trim().split(/\s+/)[0]);
    if (!Number.isSafeInteger(n) || n < 0) throw new FtpProtocolError(`bad SIZE reply: ${r.text}`);
    return n;
  }

  /** Modification time (MDTM, UTC). @see RFC 3659 §3 */
  lastModified(path: string): Promise<Date> {
    return this.exclusive(async () => {
      const r = await this.cmd('MDTM', path, [213]);
      return parseMdtm(r.text.trim());
    });
  }

  /** Sets the modification time (MFMT) when the server offers it; false when it does not. */
  setLastModified(path: string, date: Date): Promise<boolean> {
    return this.exclusive(async () => {
      if (!this.feats.has('MFMT')) return false;
      const t = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
      const r = await this.ctrl.command('MFMT', `${t} ${path}`);
      return r.code === 213;
    });
  }

  /**
   * One entry's facts: MLST when offered, else the parent's listing, else SIZE/MDTM. Throws
   * FtpReplyError 550 when it does not exist.
   */
  stat(path: string): Promise<ListEntry> {
    return this.exclusive(async () => {
      if (this.feats.has('MLST')) {
        const r = await this.cmd('MLST', path, [250]);
        const e = parseMlstReply(r.lines);
        if (e) return { ...e, name: remoteBasename(path) || e.name };
      }
      const name = remoteBasename(path);
      const parent = remoteDirname(path);
      const entries = await this.listUnlocked(parent || '', {});
      const found = entries.find((e) => e.name === name);
      if (found) return found;
      const cwd = await this.ctrl.command('CWD', path);
      if (cwd.code === 250) {
        await this.ctrl.command('CWD', this.currentDir);
        return { name, type: 'dir', size: 0 };
      }
      throw new FtpReplyError(550, 'No such file or directory', describeCommand('STAT', path));
    });
  }

  /** Deletes a file (DELE). */
  remove(path: string): Promise<void> {
    return this.exclusive(async () => { await this.cmd('DELE', path, [250, 2]); });
  }

  /** Renames (RNFR/RNTO). */
  rename(from: string, to: string): Promise<void> {
    return this.exclusive(() => this.runDialog(renameDialog(from, to)));
  }

  /** Makes a directory; `recursive` makes the missing parents and accepts an existing one. */
  mkdir(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    return this.exclusive(() => this.runDialog(mkdirDialog(path, opts.recursive ?? false, this.currentDir)));
  }

  /**
   * Removes a directory; `recursive` deletes its contents first. Names from the listing that are
   * not one plain path segment ('..', 'a/b') stop the removal with FtpUnsafePathError.
   */
  removeDir(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    return this.exclusive(() => this.removeDirUnlocked(path, opts.recursive ?? false, 0));
  }

  private async removeDirUnlocked(path: string, recursive: boolean, depth: number): Promise<void> {
    if (recursive) {
      if (depth > 64) throw new FtpLimitError('maxListingSize', 64, 'directory tree too deep');
      const entries = await this.listUnlocked(path, {});
      // Check every name before deleting anything: a hostile listing must not cause half a deletion.
      for (const e of entries) assertSafeName(e.name);
      for (const e of entries) {
        const child = joinRemote(path, e.name);
        if (e.type === 'dir') await this.removeDirUnlocked(child, true, depth + 1);
        else await this.cmd('DELE', child, [250, 2]);
      }
    }
    await this.cmd('RMD', path, [250, 2]);
  }

  /** Checksum by the server (HASH, draft-bryan-ftpext-hash): `{ algorithm, hex }`. */
  hash(path: string, algorithm?: string): Promise<{ algorithm: string; hex: string }> {
    return this.exclusive(() => this.hashUnlocked(path, algorithm));
  }

  private async hashUnlocked(path: string, algorithm?: string): Promise<{ algorithm: string; hex: string }> {
    const algos = hashAlgorithms(this.feats);
    if (algos.length === 0) throw new FtpUnsupportedError('HASH');
    if (algorithm && algos[0] !== algorithm) await this.cmd('OPTS', `HASH ${algorithm}`, [200]);
    const r = await this.cmd('HASH', path, [213]);
    // "SHA-256 0-49 <hex> <name>"
    const parts = r.text.trim().split(/\s+/);
    const hex = parts[2];
    if (!parts[0] || !hex || !/^[0-9a-f]+$/i.test(hex)) throw new FtpProtocolError(`bad HASH reply: ${r.text}`);
    return { algorithm: parts[0], hex: hex.toLowerCase() };
  }

  /** Lists a directory: MLSD when the server offers MLST, else LIST parsed by the codec. */
  list(path = '', opts: TransferOptions = {}): Promise<ListEntry[]> {
    return this.exclusive(() => this.listUnlocked(path, opts));
  }

  private async listUnlocked(path: string, opts: TransferOptions): Promise<ListEntry[]> {
    const chunks: Buffer[] = [];
    let size = 0;
    const cap = this.options.maxListingSize;
    const write = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > cap) throw new FtpLimitError('maxListingSize', cap, 'the directory listing is too large');
      chunks.push(chunk);
    };
    if (this.feats.has('MLST')) {
      await this.transfer({ ...opts, verb: 'MLSD', ...(path ? { arg: path } : {}), write });
      return parseMlsdListing(Buffer.concat(chunks).toString('utf8'));
    }
    // LIST with a path is read as options ("-l") or globs by some servers: enter the directory instead.
    if (path) await this.cmd('CWD', path, [250, 2]);
    try {
      await this.transfer({ ...opts, verb: 'LIST', write });
    } finally {
      if (path) await this.ctrl.command('CWD', this.currentDir);
    }
    return parseListListing(Buffer.concat(chunks).toString('utf8'), new Date());
  }

  /**
   * Downloads to a local path or a Writable. Resumes after a dropped connection (REST from what
   * arrived) up to `retries` times.
   */
  download(remote: string, dest: string | Writable, opts: DownloadOptions = {}): Promise<TransferResult> {
    return this.exclusive(() => this.downloadUnlocked(remote, dest, opts));
  }

  private async downloadUnlocked(remote: string, dest: string | Writable, opts: DownloadOptions): Promise<TransferResult> {
    let offset = opts.offset ?? 0;
    let target: DownloadTarget | undefined;
    let write: (chunk: Buffer) => Promise<void>;
    let stopListening = (): void => undefined;
    let destError: Error | undefined;
    if (typeof dest === 'string') {
      if (opts.resume && opts.offset === undefined) {
        offset = await statLocal(dest).then((s) => (s.isFile() ? s.size : 0), () => 0);
      }
      target = await DownloadTarget.prepare(dest, {
        inPlace: opts.resume === true || offset > 0,
        offset,
        createDirs: opts.createDirs ?? false,
        highWaterMark: this.options.highWaterMark,
        written: (chunk) => this.pool.release(chunk),
      });
      const t = target;
      write = (chunk) => t.write(chunk);
    } else {
      // The caller's stream: an 'error' it emits while we write ends the download instead of the process.
      const onError = (err: Error): void => { destError ??= err; };
      dest.on('error', onError);
      stopListening = () => dest.off('error', onError);
      write = async (chunk) => {
        if (destError) throw destError;
        await writeTo(dest, chunk);
      };
    }
    let total: number | undefined;
    let moved = 0;
    let retries = 0;
    try {
      if (opts.onProgress) total = await this.sizeUnlocked(remote).catch(() => undefined);
      for (;;) {
        try {
          await this.transfer({
            verb: 'RETR', arg: remote, rest: offset + moved,
            ...(opts.signal ? { signal: opts.signal } : {}),
            write,
            count: (n) => {
              moved += n;
              opts.onProgress?.({ path: remote, bytes: moved, offset, ...(total !== undefined ? { total } : {}) });
            },
          });
          break;
        } catch (err) {
          if (!isRetryable(err) || retries >= this.options.retries || opts.signal?.aborted) throw err;
          retries++;
          await sleep(this.options.retryDelay);
          await this.reconnect();
        }
      }
      if (target) await target.commit();
      else if (opts.end !== false) await endStream(dest as Writable);
    } catch (err) {
      await target?.discard();
      throw err;
    } finally {
      stopListening();
    }
    return { bytes: moved, offset, retries };
  }

  /**
   * Uploads a local path or a Readable. `resume` continues from the remote size (APPE of the
   * rest). Uploads from a path reconnect and resume after a dropped connection.
   */
  upload(source: string | Readable, remote: string, opts: UploadOptions = {}): Promise<TransferResult> {
    return this.exclusive(() => this.uploadUnlocked(source, remote, opts));
  }

  private async uploadUnlocked(source: string | Readable, remote: string, opts: UploadOptions): Promise<TransferResult> {
    const remoteSize = async (): Promise<number> => {
      const r = await this.ctrl.command('SIZE', remote);
      return r.code === 213 ? Number(r.text.trim()) || 0 : 0;
    };
    let offset = opts.resume ? await remoteSize() : 0;
    const total = typeof source === 'string' ? await localFileSize(source) : undefined;
    let moved = 0;
    let retries = 0;
    /** A resume attempt was refused with 554: every later attempt is a STOR of the whole file. */
    let storedWhole = false;
    for (;;) {
      const start = storedWhole ? 0 : offset + moved;
      let stream: AsyncIterable<Buffer | Uint8Array | string>;
      if (typeof source === 'string') {
        stream = fileChunks(source, start, this.options.highWaterMark);
      } else {
        if (start > 0 && opts.resume && retries === 0 && offset > 0) {
          // A Readable cannot seek: skip what the server already has.
          stream = skipBytes(source, start);
        } else stream = source;
      }
      const verb = opts.append || start > 0 ? 'APPE' : 'STOR';
      try {
        await this.transfer({
          verb, arg: remote, source: stream,
          ...(opts.signal ? { signal: opts.signal } : {}),
          count: (n) => {
            moved += n;
            opts.onProgress?.({ path: remote, bytes: moved, offset, ...(total !== undefined ? { total } : {}) });
          },
        });
        return { bytes: moved, offset, retries };
      } catch (err) {
        if (typeof source === 'string' && verb === 'APPE' && !opts.append && !storedWhole && nothingToResume(err)) {
          // An atomic server keeps no partial upload (RFC 3659 §5.4): send the whole file instead.
          storedWhole = true;
          offset = 0;
          moved = 0;
          continue;
        }
        if (typeof source !== 'string' || !isRetryable(err) || retries >= this.options.retries || opts.signal?.aborted) throw err;
        retries++;
        await sleep(this.options.retryDelay);
        await this.reconnect();
        if (storedWhole) {
          moved = 0;
          continue;
        }
        // Trust the server's size, not our count: bytes in flight may not have landed.
        const landed = await remoteSize();
        moved = landed - offset;
        if (moved < 0) {
          offset = landed;
          moved = 0;
        }
      }
    }
  }

  /** Opens a data connection (passive or active) ready for the transfer command. */
  private async prepareData(receiver?: SocketReceiver): Promise<PreparedData> {
    if (this.options.mode === 'active') {
      const data = await listenActiveData(this.ctrl, this.options, this.protectedData);
      try {
        this.activeMode = await this.runDialog(activeDialog(data.address, this.activeMode));
      } catch (err) {
        data.cancel();
        throw err;
      }
      return data;
    }
    const { host, family } = this.ctrl.peer;
    const target = await this.runDialog(passiveDialog({
      controlHost: host,
      family,
      allowPasvHost: this.options.allowPasvHost,
      ...(this.passiveMode ? { known: this.passiveMode } : {}),
    }));
    this.passiveMode = target.mode;
    if (target.ignoredHost) this.warnings.push(`ignored PASV address ${target.ignoredHost}; using the control host`);
    return await connectPassiveData(target, this.ctrl, this.options, this.protectedData, receiver && (() => receiver.onread));
  }

  /**
   * One transfer: REST, data connection, command, data, final reply. While data flows the control
   * connection is still read: an early failure reply stops the data, and abort sends ABOR.
   * @see RFC 959 §§3.2-3.3, §4.1.3 (ABOR)
   */
  private async transfer(spec: TransferSpec): Promise<void> {
    if (spec.signal?.aborted) throw new FtpAbortError({ cause: spec.signal.reason });
    // A download's bytes come in ~1 MiB batches read into reused buffers (`onread` where this
    // client connects, the same machinery adopted where it accepts); a listing's as they come.
    const receiver = spec.verb === 'RETR' && spec.write ? new SocketReceiver(this.pool) : undefined;
    const data = await this.prepareData(receiver);
    // REST must come right before the transfer command (RFC 3659 §5.3): after EPSV/PASV/EPRT/PORT,
    // which strict servers let reset the restart marker.
    if (spec.rest && spec.rest > 0) {
      try {
        await this.cmd('REST', String(spec.rest), [350]);
      } catch (err) {
        data.cancel();
        throw err;
      }
    }
    const what = describeCommand(spec.verb, spec.arg);
    this.ctrl.send(spec.verb, spec.arg);
    let first: Reply;
    try {
      first = await this.ctrl.nextReply();
      while (first.code < 100) first = await this.ctrl.nextReply();
    } catch (err) {
      data.cancel();
      throw err;
    }
    if (first.code >= 300) {
      data.cancel();
      throw new FtpReplyError(first.code, first.text, what);
    }
    // The final reply; no timeout while data moves (a 50 GiB file takes its time).
    let finalPending = first.code < 200;
    const finalReply: Promise<Reply> = finalPending ? this.ctrl.nextFinal(0) : Promise.resolve(first);
    finalReply.then(() => { finalPending = false; }, () => undefined);

    let socket: DataSocket | undefined;
    let stopReason: Error | undefined;
    let aborted = false;
    let limited = false;
    const stop = (err: Error): void => {
      stopReason ??= err;
      socket?.destroy();
    };
    const sendAbort = (): void => {
      try {
        // TELNET IP then Synch; Node cannot send the DM byte as TCP urgent data, so it goes in-band.
        this.ctrl.writeRaw(IAC_IP_DM);
        this.ctrl.send('ABOR');
      } catch {
        // The control connection is gone; the caller sees the failure below.
      }
    };
    const onAbort = (): void => {
      if (aborted) return;
      aborted = true;
      sendAbort();
      stop(new FtpAbortError({ cause: spec.signal?.reason }));
    };
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    // A failure reply while data flows (426, 451) ends the data at once.
    finalReply.then((r) => { if (r.code >= 400) stop(new FtpReplyError(r.code, r.text, what)); }, (err: Error) => stop(err));

    let last = Date.now();
    let lastReceived = 0;
    const stall = setInterval(() => {
      // A batch fills slowly on a slow link: bytes arriving, not batches, keep the transfer alive.
      if (receiver !== undefined && receiver.received !== lastReceived) {
        lastReceived = receiver.received;
        last = Date.now();
      }
      if (Date.now() - last > this.options.dataTimeout) stop(new FtpTimeoutError('data', this.options.dataTimeout));
    }, Math.min(1000, Math.max(50, Math.floor(this.options.dataTimeout / 4))));
    let dataError: unknown;
    /** Upload bytes written but not reported to `count` yet: the rest counts with the 226. */
    const acks = new UploadAckEstimate();
    /** The destination failed (a local disk error): that, not the server's 426 for it, is the error. */
    let localFailure: unknown;
    let cancelWait: (() => void) | undefined;
    try {
      socket = await Promise.race([
        data.connect(),
        new Promise<never>((_, reject) => {
          finalReply.then((r) => { if (r.code >= 400) reject(new FtpReplyError(r.code, r.text, what)); }, reject);
          const onSignal = (): void => reject(new FtpAbortError());
          // One signal may serve hundreds of transfers (mirror): never leave a listener behind.
          spec.signal?.addEventListener('abort', onSignal, { once: true });
          cancelWait = () => spec.signal?.removeEventListener('abort', onSignal);
        }),
      ]).finally(() => cancelWait?.());
      if (stopReason) throw stopReason;
      socket.on('error', () => undefined);
      if (spec.write) {
        let got = 0;
        const source: AsyncIterable<unknown> = receiver !== undefined ? receiver.attach(socket) : socket;
        for await (const c of source) {
          let chunk = c as Buffer;
          last = Date.now();
          if (spec.limit !== undefined && got + chunk.length >= spec.limit) {
            chunk = chunk.subarray(0, spec.limit - got);
            limited = true;
          }
          got += chunk.length;
          if (chunk.length > 0) {
            try {
              await spec.write(chunk);
            } catch (err) {
              localFailure = err;
              throw err;
            }
            spec.count?.(chunk.length);
          }
          if (limited) break;
        }
        if (stopReason) throw stopReason;
      } else if (spec.source) {
        const out = socket;
        for await (const c of spec.source) {
          if (stopReason) throw stopReason;
          const chunk = typeof c === 'string' ? Buffer.from(c) : c;
          const began = Date.now();
          await writeTo(out, chunk);
          last = Date.now();
          // Bytes in socket buffers are not the server's yet: count what it has likely read.
          const counted = acks.wrote(chunk.length, last - began);
          if (counted > 0) spec.count?.(counted);
        }
        if (stopReason) throw stopReason;
        await endStream(out);
        if (stopReason) throw stopReason;
      }
    } catch (err) {
      // A local file that cannot be read: that, not the server's 426 for the cut data, is the error.
      if (err instanceof FtpLocalError) localFailure ??= err;
      dataError = stopReason ?? err;
    } finally {
      clearInterval(stall);
      spec.signal?.removeEventListener('abort', onAbort);
    }

    if (limited && !dataError) {
      // A segment is done: ABOR the rest (426 + 226, or 226 + 225 when the server had finished).
      sendAbort();
      socket?.destroy();
      await this.drainAbortReplies(finalReply, finalPending);
      return;
    }
    if (dataError) {
      socket?.destroy();
      data.cancel();
      if (aborted) {
        await this.drainAbortReplies(finalReply, finalPending);
        throw dataError instanceof FtpAbortError ? dataError : new FtpAbortError({ cause: dataError });
      }
      // Keep replies in step: the server reports the failed transfer too (426/451), unless it is gone.
      const r = await this.withTimeout(finalReply).catch(() => undefined);
      if (localFailure !== undefined) throw localFailure;
      if (r && r.code >= 400) throw new FtpReplyError(r.code, r.text, what);
      throw dataError;
    }
    // The socket stays open until the final reply: destroying it right after end() could cut off
    // the last bytes (or the TLS close_notify) before the server has read them.
    let r: Reply;
    try {
      r = await this.withTimeout(finalReply);
    } finally {
      socket?.destroy();
    }
    if (r.code >= 300) throw new FtpReplyError(r.code, r.text, what);
    const rest = acks.confirmed();
    if (rest > 0) spec.count?.(rest);
  }

  /**
   * After ABOR servers differ: vsftpd and pyftpdlib send the transfer's 426 then 226 for ABOR,
   * pure-ftpd one 226, and a finished transfer gets 226 then 225. A NOOP sent right after ABOR
   * marks the end: every reply up to its 200 belongs to the aborted transfer.
   */
  private async drainAbortReplies(finalReply: Promise<Reply>, finalPending: boolean): Promise<void> {
    try {
      this.ctrl.send('NOOP');
      let r = finalPending ? await this.withTimeout(finalReply) : await this.withTimeout(this.ctrl.nextFinal());
      for (let i = 0; i < 4 && r.code !== 200; i++) r = await this.withTimeout(this.ctrl.nextFinal());
      if (r.code !== 200) throw new FtpProtocolError('lost track of replies after ABOR');
    } catch {
      // A server that drops the connection on ABOR: the next operation reconnects.
      this.ctrl.destroy();
    }
  }

  private withTimeout(p: Promise<Reply>): Promise<Reply> {
    const ms = this.options.replyTimeout;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          this.ctrl.destroy();
          reject(new FtpTimeoutError('reply', ms));
        }, ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /**
   * Downloads one byte range [start, start+length) — for segmented downloads. Writes with `write`.
   * @internal used by downloadSegmented
   */
  downloadRange(remote: string, start: number, length: number, write: (chunk: Buffer, position: number) => Promise<void>, opts: TransferOptions & { onBytes?: (n: number) => void } = {}): Promise<number> {
    return this.exclusive(async () => {
      let got = 0;
      let retries = 0;
      for (;;) {
        try {
          await this.transfer({
            verb: 'RETR', arg: remote, rest: start + got, limit: length - got,
            ...(opts.signal ? { signal: opts.signal } : {}),
            write: (chunk) => write(chunk, start + got),
            count: (n) => { got += n; opts.onBytes?.(n); },
          });
          if (got >= length) return got;
          throw new FtpConnectionError(`segment ended early at ${got} of ${length} bytes`);
        } catch (err) {
          if (!isRetryable(err) || retries >= this.options.retries || opts.signal?.aborted) throw err;
          retries++;
          await sleep(this.options.retryDelay);
          await this.reconnect();
        }
      }
    });
  }

  /** Computes the local SHA/MD5 of a file to compare with `hash()`. */
  static async localHash(path: string, algorithm: string): Promise<string> {
    const name = algorithm.toLowerCase().replace('-', '');
    const h = createHash(name);
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) h.update(chunk as Buffer);
    return h.digest('hex');
  }

  private get pool(): BufferPool {
    this.#bufferPool ??= new BufferPool(this.options.highWaterMark);
    return this.#bufferPool;
  }

  /** QUIT and close. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closedByUser) return;
    if (this.keepalive) clearInterval(this.keepalive);
    try {
      await this.queue;
      this.closedByUser = true;
      if (!this.ctrl.closedWith) {
        this.ctrl.send('QUIT');
        await this.withTimeout(this.ctrl.nextReply()).catch(() => undefined);
      }
    } catch {
      // Closing anyway.
    } finally {
      this.closedByUser = true;
      this.ctrl.destroy();
    }
  }
}

/**
 * A local file's bytes from `start`. The file is opened only when the transfer starts reading, and
 * closed however the reading ends: a transfer refused before its data leaks no descriptor.
 */
async function* fileChunks(path: string, start: number, highWaterMark: number): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { start, highWaterMark });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw localError(`cannot read ${path}`, path, err);
  } finally {
    stream.destroy();
  }
}

/** The size of a local file to upload; a missing or unreadable one is an FtpLocalError up front. */
async function localFileSize(path: string): Promise<number> {
  const st = await statLocal(path).catch((err: unknown) => {
    throw localError(`cannot upload ${path}`, path, err);
  });
  if (st.isDirectory()) throw new FtpLocalError(`cannot upload ${path}: it is a directory`, path);
  return st.size;
}

async function* skipBytes(source: AsyncIterable<Buffer | Uint8Array | string>, n: number): AsyncGenerator<Buffer> {
  let left = n;
  for await (const c of source) {
    let chunk = typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    if (left > 0) {
      const drop = Math.min(left, chunk.length);
      left -= drop;
      chunk = chunk.subarray(drop);
    }
    if (chunk.length > 0) yield chunk;
  }
}

export { FtpError };
