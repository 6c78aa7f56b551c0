import type { CommandSpec } from '../command-spec.js';
import { loginFailed, loginSucceeded } from '../session-state.js';
import { reply, request } from '../step.js';

/**
 * PASS: asks the driver's `authenticate` (which also delays failures and handles anonymous).
 * Any failure, including an authenticate that threw, is "530 Login incorrect." so that a wrong
 * user and a wrong password look the same.
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
      return reply(530, 'Login incorrect.');
    });
  },
};
