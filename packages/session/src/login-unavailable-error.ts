/**
 * Thrown by an `authenticate` that cannot decide (its user store timed out, answered 5xx, could not
 * be reached): the login is neither accepted nor counted as a wrong password. PASS answers 421 and
 * closes the connection (fail closed); the client may try again later.
 */
export class LoginUnavailableError extends Error {
  override readonly name = 'LoginUnavailableError';
  readonly code = 'ELOGINUNAVAILABLE';
}

/** True for a {@link LoginUnavailableError}, by name (two copies of the package must agree). */
export function isLoginUnavailable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'LoginUnavailableError';
}
