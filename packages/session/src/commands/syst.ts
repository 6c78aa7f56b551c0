import type { CommandSpec } from '../command-spec.js';
import { reply } from '../step.js';

/**
 * SYST: "UNIX Type: L8", which tells clients to expect `ls -l` listings and binary-safe bytes.
 *
 * @see RFC 959 §4.1.3, RFC 1700 (system names)
 */
export const systCommand: CommandSpec = {
  verb: 'SYST',
  auth: false,
  keepsRestartMarker: true,
  arg: 'none',
  syntax: 'SYST -- system type',
  run: () => reply(215, 'UNIX Type: L8'),
};
