import type { ConnectionInfo } from './events.js';
import type { FtpUser } from './options.js';

/** The operations `authorize` is asked about, each before it touches storage. */
export type AuthorizeOperation = 'upload' | 'download' | 'delete' | 'rename';

/** What `authorize` is told: plain data, never a socket. */
export interface AuthorizeRequest {
  operation: AuthorizeOperation;
  connection: ConnectionInfo;
  /** The logged-in user as `authenticate` returned it (extra fields included). */
  user: FtpUser;
  /** The virtual path (rename: the RNFR source). */
  path: string;
  /** rename: the RNTO target. */
  targetPath?: string;
}

/**
 * `allow` lets the operation run; `deny` refuses it (550 for download and delete, 553 for upload
 * and rename); `unavailable` refuses it with 451 because the decision could not be made (fail
 * closed). A throw counts as `unavailable` and is reported on 'error'.
 */
export type AuthorizeVerdict = 'allow' | 'deny' | 'unavailable';

/**
 * Decides each upload (STOR/APPE/STOU), download (RETR), DELE and RNTO before it acts: for
 * transfers before the 150 reply and before any byte is read or written. The FTP reply waits for
 * the answer, other sessions do not.
 */
export type Authorize = (request: AuthorizeRequest) => AuthorizeVerdict | Promise<AuthorizeVerdict>;
