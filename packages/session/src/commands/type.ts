import type { CommandSpec } from '../command-spec.js';
import { setType } from '../session-state.js';
import { reply } from '../step.js';

/**
 * TYPE A | A N | I | L 8: ASCII (line endings converted by the driver) or binary. EBCDIC, the
 * TELNET/ASA format controls and other byte sizes are 504.
 *
 * @see RFC 959 §3.1.1, §4.1.2
 */
export const typeCommand: CommandSpec = {
  verb: 'TYPE',
  auth: true,
  keepsRestartMarker: true,
  arg: 'required',
  syntax: 'TYPE <SP> A [N] | I | L 8 -- representation type',
  run(ctx, arg) {
    const t = arg.trim().toUpperCase().replace(/\s+/g, ' ');
    if (t === 'A' || t === 'A N') {
      setType(ctx.state, 'A');
      return reply(200, 'Switching to ASCII mode.');
    }
    if (t === 'I' || t === 'L 8' || t === 'L8') {
      setType(ctx.state, 'I');
      return reply(200, 'Switching to Binary mode.');
    }
    return reply(504, 'Command not implemented for that parameter.');
  },
};
