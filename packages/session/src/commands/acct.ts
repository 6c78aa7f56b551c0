import type { CommandSpec } from '../command-spec.js';
import { reply } from '../step.js';

/**
 * ACCT: accounts are not used; answered 202 ("command not implemented, superfluous at this
 * site") whatever the login state, so clients that send it anyway go on.
 *
 * @see RFC 959 §4.1.1, §4.2.2 (202)
 */
export const acctCommand: CommandSpec = {
  verb: 'ACCT',
  auth: false,
  arg: 'required',
  syntax: 'ACCT <SP> account -- not needed here (202)',
  run() {
    return reply(202, 'ACCT not needed.');
  },
};
