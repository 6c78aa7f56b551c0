import type { CommandSpec } from '../command-spec.js';
import { changeDirectory } from '../session-state.js';
import { reply } from '../step.js';

/**
 * CDUP / XCUP: to the parent directory (stays at '/'). The parent of a directory that exists
 * exists, so no stat. Answered 250 like CWD (RFC 959 lists 200; clients accept both).
 *
 * @see RFC 959 §4.1.1
 */
export const cdupCommand: CommandSpec = {
  verb: 'CDUP',
  aliases: ['XCUP'],
  auth: true,
  arg: 'none',
  syntax: 'CDUP -- go to the parent directory',
  run(ctx) {
    changeDirectory(ctx.state, ctx.resolve('..'));
    return reply(250, 'Directory successfully changed.');
  },
};
