import type { CommandSpec } from '../command-spec.js';
import { printable } from '../command-helpers.js';
import { hostGiven } from '../session-state.js';
import { reply } from '../step.js';

/**
 * HOST: names the virtual host before login. Every name is accepted (one storage serves all);
 * the name is remembered for STAT and logs. After USER or login: 503.
 *
 * @see RFC 7151 §3
 */
export const hostCommand: CommandSpec = {
  verb: 'HOST',
  auth: false,
  arg: 'required',
  syntax: 'HOST <SP> hostname -- select a virtual host before login',
  feat: () => ['HOST'],
  sequence(state) {
    if (state.phase === 'logged-in') return 'HOST not allowed after login.';
    if (state.phase === 'need-password') return 'HOST must come before USER.';
    return undefined;
  },
  run(ctx, arg) {
    const name = arg.trim();
    hostGiven(ctx.state, name);
    return reply(220, `Host accepted: ${printable(name)}.`);
  },
};
