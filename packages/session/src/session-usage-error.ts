/**
 * A local error: the DRIVER broke the session's calling rules (h11's LocalProtocolError). Remote
 * errors (the FTP client misbehaving) are never thrown; they become replies.
 */
export class SessionUsageError extends Error {
  override readonly name = 'SessionUsageError';
  readonly code = 'SESSION_USAGE';
  constructor(
    /** The call that was refused, e.g. "resolve(7)". */
    readonly call: string,
    /** Why, naming the state, e.g. "no effect is outstanding". */
    readonly reason: string,
  ) {
    super(`${call}: ${reason}`);
  }
}
