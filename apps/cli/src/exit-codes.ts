import { FtpConnectionError, FtpError, FtpLocalError, FtpReplyError, FtpTimeoutError } from '@ftpkit/client';
import { NoMatchError } from './globs.js';

/**
 * The exit status of `ftpkit`, one per kind of failure. Where curl has a code for the same
 * failure it is curl's number, so scripts that know curl's codes read ours the same way.
 */
export const EXIT = {
  ok: 0,
  /** Any failure not listed below (an unexpected reply, a protocol error). */
  failure: 1,
  /** Bad command line: a missing argument, an unknown option, not a URL, a bad number. */
  usage: 2,
  /** Cannot connect, or the connection dropped (curl 7). */
  connect: 7,
  /** The server refused access to the file or directory: permission, read-only (curl 9). */
  denied: 9,
  /** A transfer started but did not complete: data connection cut, 425/426/451 (curl 18). */
  transfer: 18,
  /** A local file or directory cannot be read, written or created (curl 23). */
  local: 23,
  /** A connect, reply or data timeout (curl 28). */
  timeout: 28,
  /** The TLS handshake failed (curl 35). */
  tls: 35,
  /** The server certificate is not trusted (curl 60). */
  certificate: 60,
  /** The login was refused: 530 (or 534, policy) to USER/PASS (curl 67). */
  login: 67,
  /** The remote file or directory does not exist, or a pattern matched nothing (curl 78). */
  notFound: 78,
  /** Interrupted by Ctrl-C (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

/** A command-line mistake found after parsing (a bad URL, `-` where a file is needed): exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}

/** A command that cannot do what was asked for a reason the user can fix: not a file, and similar. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(message: string, readonly exitCode: number, readonly code = 'CLI') {
    super(message);
  }
}

const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME/;

function causeCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 5 && e instanceof Error; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('FTP_')) return code;
    e = e.cause;
  }
  return '';
}

/** The exit status for an error a command ended with. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof NoMatchError) return EXIT.notFound;
  if (err instanceof FtpReplyError) {
    // 534: refused by policy, such as a server that wants AUTH TLS first.
    if ((err.replyCode === 530 || err.replyCode === 534) && /^(USER|PASS|ACCT)\b/.test(err.command)) return EXIT.login;
    if (err.reason === 'not-found') return EXIT.notFound;
    if (err.reason === 'denied') return EXIT.denied;
    if ([425, 426, 451].includes(err.replyCode)) return EXIT.transfer;
    if (err.replyCode === 421) return EXIT.connect;
    return EXIT.failure;
  }
  if (err instanceof FtpTimeoutError) return EXIT.timeout;
  if (err instanceof FtpLocalError) return EXIT.local;
  if (err instanceof FtpConnectionError) {
    const code = causeCode(err);
    if (CERT_CODES.test(code)) return EXIT.certificate;
    if (/SSL|TLS/.test(code) || /TLS handshake/.test(err.message)) return EXIT.tls;
    return EXIT.connect;
  }
  if (err instanceof FtpError) {
    if (err.code === 'BAD_URL' || err.code === 'BAD_OPTIONS') return EXIT.usage;
    if (err.code === 'ABORT_ERR') return EXIT.interrupted;
    return EXIT.failure;
  }
  const code = causeCode(err);
  if (/^E(NOENT|ACCES|PERM|ISDIR|NOTDIR|EXIST|NOSPC|ROFS)$/.test(code)) return EXIT.local;
  return EXIT.failure;
}
