import type { CommandSpec } from '../command-spec.js';
import { loginFailed, loginSucceeded } from '../session-state.js';
import { LOGIN_SESSIONS_REPLY, LOGIN_UNAVAILABLE_REPLY } from '../error-replies.js';
import { isLoginUnavailable, loginUnavailableReason } from '../login-unavailable-error.js';
import { reply, replyAndClose, request } from '../step.js';

/**
 * PASS: asks the driver's `authenticate` (which also delays failures and handles anonymous).
 * Any failure, including an authenticate that threw, is "530 Login incorrect." so that a wrong
 * user and a wrong password look the same. The one exception: an authenticate that could not decide
 * (a LoginUnavailableError, e.g. its user store is down) is 421 and the connection closes.
 *
 * @see RFC 959 §4.1.1
 */
export const passCommand: CommandSpec = {
  verb: 'PASS',
  auth: false,
  arg: 'optional',
  needsTlsFirst: true,
  syntax: 'PASS [<SP> password] -- finish a login',
  sequence(state) {
    if (state.phase === 'logged-in') return 'Already logged in.';
    if (state.phase !== 'need-password') return 'Login with USER first.';
    return undefined;
  },
  run(ctx, arg) {
    const { state } = ctx;
    const user = state.pendingUser ?? '';
    return request({ kind: 'authenticate', user, password: arg }, (outcome) => {
      if (outcome.ok && outcome.user !== undefined) {
        loginSucceeded(state, outcome.user);
        return reply(230, 'Login successful.');
      }
      loginFailed(state);
      if (!outcome.ok && isLoginUnavailable(outcome.error)) {
        const r = loginUnavailableReason(outcome.error) === 'too-many-sessions' ? LOGIN_SESSIONS_REPLY : LOGIN_UNAVAILABLE_REPLY;
        return replyAndClose(r.code, r.text);
      }
      return reply(530, 'Login incorrect.');
    });
  },
};
