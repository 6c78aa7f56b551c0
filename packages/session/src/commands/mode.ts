import type { CommandSpec } from '../command-spec.js';
import { reply } from '../step.js';

/**
 * MODE S: stream mode is the only one (block and compressed are 504).
 *
 * @see RFC 959 §3.4, §4.1.2
 */
export const modeCommand: CommandSpec = {
  verb: 'MODE',
  auth: true,
  keepsRestartMarker: true,
  arg: 'required',
  syntax: 'MODE <SP> S -- stream transfer mode',
  run(_ctx, arg) {
    return arg.trim().toUpperCase() === 'S'
      ? reply(200, 'Mode set to S.')
      : reply(504, 'Command not implemented for that parameter.');
  },
};
