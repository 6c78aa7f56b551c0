import type { CommandSpec } from '../command-spec.js';
import { reply } from '../step.js';

/**
 * ALLO: storage needs no reservation; 202 whatever the argument.
 *
 * @see RFC 959 §4.1.3
 */
export const alloCommand: CommandSpec = {
  verb: 'ALLO',
  auth: true,
  keepsRestartMarker: true,
  arg: 'required',
  syntax: 'ALLO <SP> bytes [<SP> R <SP> size] -- reserve space (not needed)',
  run() {
    return reply(202, 'ALLO not needed.');
  },
};
