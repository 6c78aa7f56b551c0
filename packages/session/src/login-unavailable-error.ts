/**
 * Thrown by an `authenticate` that cannot decide (its user store timed out, answered 5xx, could not
 * be reached): the login is neither accepted nor counted as a wrong password. PASS answers 421 and
 * closes the connection (fail closed); the client may try again later.
 */
export class LoginUnavailableError extends Error {
  override readonly name = 'LoginUnavailableError';
  readonly code = 'ELOGINUNAVAILABLE';
  /**
   * `unavailable` (default): the user store could not answer. `too-many-sessions`: the password is
   * right but the user has as many sessions as allowed; also 421, not counted as a wrong password.
   */
  readonly reason: LoginUnavailableReason;

  constructor(message: string, options: { reason?: LoginUnavailableReason; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options.reason ?? 'unavailable';
  }
}

export type LoginUnavailableReason = 'unavailable' | 'too-many-sessions';

/** The reason of a {@link LoginUnavailableError} (read by shape: two copies of the package must agree). */
export function loginUnavailableReason(error: unknown): LoginUnavailableReason {
  return (error as { reason?: unknown }).reason === 'too-many-sessions' ? 'too-many-sessions' : 'unavailable';
}

/** True for a {@link LoginUnavailableError}, by name (two copies of the package must agree). */
export function isLoginUnavailable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'LoginUnavailableError';
}
