import type { CommandSpec } from '../command-spec.js';
import { reply } from '../step.js';

/**
 * STRU F: file structure is the only one (record and page structure are 504).
 *
 * @see RFC 959 §3.1.2, §4.1.2
 */
export const struCommand: CommandSpec = {
  verb: 'STRU',
  auth: true,
  keepsRestartMarker: true,
  arg: 'required',
  syntax: 'STRU <SP> F -- file structure',
  run(_ctx, arg) {
    return arg.trim().toUpperCase() === 'F'
      ? reply(200, 'Structure set to F.')
      : reply(504, 'Command not implemented for that parameter.');
  },
};
