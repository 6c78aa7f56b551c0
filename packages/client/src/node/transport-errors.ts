import { DataChannelError } from '@ftpkit/codec';
import { FtpConnectionError, FtpError, FtpTimeoutError } from '../errors.js';

/**
 * A failure `@ftpkit/transport` reported, as the client's error: a timeout becomes
 * FtpTimeoutError(`phase`, `ms`), anything else FtpConnectionError("`what`: reason"). The Node
 * error (ECONNREFUSED, a certificate code) becomes the direct `cause`, so callers that read codes
 * off the cause (the CLI's exit statuses) see it as before.
 */
export function fromTransport(err: unknown, what: string, phase: 'connect' | 'data', ms: number): FtpError {
  if (err instanceof FtpError) return err;
  if (err instanceof DataChannelError) {
    if (err.code === 'timeout') return new FtpTimeoutError(phase, ms);
    const cause = err.cause instanceof Error ? err.cause : err;
    const reason = cause === err ? err.message : `${cause.message}`;
    return new FtpConnectionError(`${what}: ${reason}`, { cause });
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return new FtpConnectionError(`${what}: ${e.message}`, { cause: e });
}
