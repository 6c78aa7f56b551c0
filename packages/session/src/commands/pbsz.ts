import type { CommandSpec } from '../command-spec.js';
import { setPbsz } from '../session-state.js';
import { reply } from '../step.js';

/**
 * PBSZ <n>: TLS is a stream, so the buffer size is always 0 ("200 PBSZ=0" whatever was asked).
 * Only after AUTH TLS (503 before).
 *
 * @see RFC 4217 §9, RFC 2228 §3
 */
export const pbszCommand: CommandSpec = {
  verb: 'PBSZ',
  auth: false,
  keepsRestartMarker: true,
  arg: 'required',
  capability: 'tls',
  feat: () => ['PBSZ'],
  syntax: 'PBSZ <SP> 0 -- protection buffer size',
  sequence: (state) => (state.tls ? undefined : 'PBSZ requires AUTH TLS first.'),
  run(ctx, arg) {
    if (!/^\d{1,10}$/.test(arg.trim())) return reply(501, 'PBSZ requires a decimal buffer size.');
    setPbsz(ctx.state);
    return reply(200, 'PBSZ=0');
  },
};
