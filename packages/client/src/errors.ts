import { replyReason, type FtpReplyReason } from './reply-reason.js';

/**
 * Every `code` an {@link FtpError} can have; each names one subclass (or, for `BAD_URL` and
 * `BAD_OPTIONS`, a plain `FtpError`). The table in the package README lists them.
 */
export type FtpErrorCode =
  | 'FTP_REPLY'
  | 'FTP_TIMEOUT'
  | 'FTP_LIMIT'
  | 'FTP_CONNECTION'
  | 'FTP_PROTOCOL'
  | 'FTP_UNSAFE_PATH'
  | 'FTP_UNSUPPORTED'
  | 'ABORT_ERR'
  | 'FTP_VERIFY'
  | 'FTP_LOCAL'
  | 'BAD_URL'
  | 'BAD_OPTIONS';

/**
 * Every error the client throws is an `FtpError` with a stable `code` (an {@link FtpErrorCode}), so
 * callers branch on codes, not messages. Messages never contain a password: commands are named by
 * their verb only when the argument is secret (PASS, ACCT).
 */
export class FtpError extends Error {
  override readonly name: string = 'FtpError';
  constructor(
    readonly code: FtpErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The server answered with a failure (4xx/5xx) or an unexpected reply. @see RFC 959 §4.2 */
export class FtpReplyError extends FtpError {
  override readonly name = 'FtpReplyError';
  constructor(
    /** The 3-digit reply code. */
    readonly replyCode: number,
    /** The reply text (lines joined with '\n'). */
    readonly text: string,
    /** The command that got it, e.g. "RETR /a.bin" (secret arguments hidden). */
    readonly command: string,
  ) {
    super('FTP_REPLY', `${command ? `${command}: ` : ''}${replyCode} ${text.split('\n').join(' ').trim()}`);
    this.reason = replyReason(replyCode, text);
  }
  /**
   * What went wrong, when the reply says so: derived from the code and, for the catch-all codes
   * (450, 550, 553), from the text. Best-effort: reply texts vary by server, so an unknown wording
   * gives `undefined`, never a guess.
   */
  readonly reason: FtpReplyReason | undefined;
  /** 4xx: the same command may work later. */
  get transient(): boolean {
    return this.replyCode >= 400 && this.replyCode < 500;
  }
}

/** A timeout: connecting, waiting for a reply, or a data connection that stopped moving. */
export class FtpTimeoutError extends FtpError {
  override readonly name = 'FtpTimeoutError';
  constructor(
    readonly phase: 'connect' | 'reply' | 'data',
    readonly ms: number,
  ) {
    super('FTP_TIMEOUT', `${phase} timeout after ${ms} ms`);
  }
}

/** A safety cap was hit (reply size, listing size, unsolicited replies, entries a mirror walks). */
export class FtpLimitError extends FtpError {
  override readonly name = 'FtpLimitError';
  constructor(
    readonly limit: 'maxReplySize' | 'maxListingSize' | 'maxUnsolicitedReplies' | 'maxEntries',
    readonly value: number,
    message: string,
  ) {
    super('FTP_LIMIT', `${message} (limit ${limit}=${value})`);
  }
}

/** The control connection closed or failed; the client must reconnect. */
export class FtpConnectionError extends FtpError {
  override readonly name = 'FtpConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('FTP_CONNECTION', message, options);
  }
}

/** The server broke the protocol (garbage reply, bad address, a data peer that is not the server). */
export class FtpProtocolError extends FtpError {
  override readonly name = 'FtpProtocolError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('FTP_PROTOCOL', message, options);
  }
}

/** A remote name would escape the local target directory (`../x`, `/etc/x`, `a/b`). */
export class FtpUnsafePathError extends FtpError {
  override readonly name = 'FtpUnsafePathError';
  constructor(readonly path: string, reason: string) {
    super('FTP_UNSAFE_PATH', `refusing unsafe name ${JSON.stringify(path)}: ${reason}`);
  }
}

/** The operation needs a server feature (FEAT) that is missing, e.g. HASH. */
export class FtpUnsupportedError extends FtpError {
  override readonly name = 'FtpUnsupportedError';
  constructor(readonly feature: string) {
    super('FTP_UNSUPPORTED', `the server does not support ${feature}`);
  }
}

/** A transfer was aborted through its AbortSignal. */
export class FtpAbortError extends FtpError {
  override readonly name = 'AbortError';
  constructor(options?: { cause?: unknown }) {
    super('ABORT_ERR', 'the transfer was aborted', options);
  }
}

/** A finished transfer does not match: wrong size or checksum. */
export class FtpVerifyError extends FtpError {
  override readonly name = 'FtpVerifyError';
  constructor(message: string) {
    super('FTP_VERIFY', message);
  }
}

/**
 * A local file or directory cannot be used: a download's directory that does not exist (see
 * `createDirs`), a disk error while writing, a mirror source that is missing or unreadable.
 * `cause` holds the Node error (with its `ENOENT`, `EACCES`, `ENOSPC` code) when there is one.
 */
export class FtpLocalError extends FtpError {
  override readonly name = 'FtpLocalError';
  constructor(message: string, readonly path: string, options?: { cause?: unknown }) {
    super('FTP_LOCAL', message, options);
  }
}
