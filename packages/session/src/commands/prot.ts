import type { CommandSpec } from '../command-spec.js';
import { setProt } from '../session-state.js';
import { reply } from '../step.js';

/**
 * PROT C|P: clear or TLS-protected data connections. S and E are 536 (TLS offers no such
 * levels); anything else 504. Needs AUTH TLS and PBSZ first (503). Under `requireTlsData`,
 * PROT C is refused by policy (534).
 *
 * @see RFC 4217 §9, RFC 2228 §3
 */
export const protCommand: CommandSpec = {
  verb: 'PROT',
  auth: false,
  keepsRestartMarker: true,
  arg: 'required',
  capability: 'tls',
  feat: () => ['PROT'],
  syntax: 'PROT <SP> C|P -- data channel protection level',
  sequence(state) {
    if (!state.tls) return 'PROT requires AUTH TLS first.';
    if (!state.pbsz) return 'PBSZ required first.';
    return undefined;
  },
  run(ctx, arg) {
    const level = arg.trim().toUpperCase();
    if (level === 'P') {
      setProt(ctx.state, 'P');
      return reply(200, 'Protection level set to P.');
    }
    if (level === 'C') {
      if (ctx.config.requireTlsData) return reply(534, 'PROT C refused by policy: data connections must be encrypted.');
      setProt(ctx.state, 'C');
      return reply(200, 'Protection level set to C.');
    }
    if (level === 'S' || level === 'E') return reply(536, 'Requested PROT level not supported by mechanism.');
    return reply(504, 'Command not implemented for that parameter.');
  },
};
