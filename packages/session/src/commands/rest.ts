import type { CommandSpec } from '../command-spec.js';
import { setRestOffset } from '../session-state.js';
import { reply } from '../step.js';

/**
 * REST <offset>: stream-mode restart marker, a decimal byte count (0 to 2^53-1). It applies to the
 * next RETR, STOR or APPE and is cleared by it; set-up and informational commands in between
 * (PASV, EPSV, PORT, EPRT, TYPE, MODE, STRU, NOOP, SIZE, MDTM, ...) keep it, any other command, REIN
 * or a new REST clears or replaces it. RETR and STOR refuse an offset past the end with 554.
 * Negative, non-numeric and too large offsets are 501.
 *
 * @see RFC 3659 §5
 */
export const restCommand: CommandSpec = {
  verb: 'REST',
  auth: true,
  arg: 'required',
  feat: () => ['REST STREAM'],
  syntax: 'REST <SP> offset -- restart the next RETR/STOR/APPE at this byte',
  run(ctx, arg) {
    const text = arg.trim();
    const offset = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(offset)) return reply(501, 'Invalid REST offset: a byte count is required.');
    setRestOffset(ctx.state, offset);
    return reply(350, `Restarting at ${offset}. Send STOR, APPE or RETR to initiate transfer.`);
  },
};
