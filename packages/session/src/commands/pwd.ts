import { quotePath } from '@ftpkit/codec';
import type { CommandSpec } from '../command-spec.js';
import { printable } from '../command-helpers.js';
import { reply } from '../step.js';

/**
 * PWD / XPWD: 257 with the quoted path (a '"' in it is doubled).
 *
 * @see RFC 959 §4.1.3 and Appendix II
 */
export const pwdCommand: CommandSpec = {
  verb: 'PWD',
  aliases: ['XPWD'],
  auth: true,
  keepsRestartMarker: true,
  arg: 'none',
  syntax: 'PWD -- print the working directory',
  run(ctx) {
    return reply(257, `${quotePath(printable(ctx.state.cwd))} is the current directory.`);
  },
};
