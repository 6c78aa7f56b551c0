import type { CommandSpec } from '../command-spec.js';
import { reply } from '../step.js';

/**
 * CCC (clear command channel): never allowed. Dropping TLS on the control connection would send
 * the rest of the session, including later logins, in the clear, and the NAT-traversal benefit
 * it exists for is covered by EPSV. 533 when the connection is not TLS, 534 otherwise.
 *
 * @see RFC 4217 §5 and §15.3
 */
export const cccCommand: CommandSpec = {
  verb: 'CCC',
  auth: false,
  arg: 'none',
  capability: 'tls',
  syntax: 'CCC -- clear command channel (refused by policy)',
  run(ctx) {
    return ctx.state.tls
      ? reply(534, 'CCC refused by server policy: the control connection stays encrypted.')
      : reply(533, 'Command channel is not protected.');
  },
};
