import type { CommandSpec } from '../command-spec.js';
import { reply } from '../step.js';

/**
 * NOOP: 200; keeps idle timers of middleboxes happy.
 *
 * @see RFC 959 §4.1.3
 */
export const noopCommand: CommandSpec = {
  verb: 'NOOP',
  auth: false,
  keepsRestartMarker: true,
  arg: 'none',
  syntax: 'NOOP -- do nothing',
  run: () => reply(200, 'NOOP ok.'),
};
