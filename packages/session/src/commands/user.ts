import type { CommandSpec } from '../command-spec.js';
import { userGiven } from '../session-state.js';
import { reply } from '../step.js';

/**
 * USER: starts a login, or a re-login when someone is already logged in (RFC 959 §4.1.1 allows
 * changing users); the previous user is logged out until PASS succeeds.
 *
 * @see RFC 959 §4.1.1
 */
export const userCommand: CommandSpec = {
  verb: 'USER',
  auth: false,
  arg: 'required',
  needsTlsFirst: true,
  syntax: 'USER <SP> username -- start a login',
  run(ctx, arg) {
    userGiven(ctx.state, arg);
    return reply(331, 'Password required.');
  },
};
