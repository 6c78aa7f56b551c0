import type { CommandSpec } from '../command-spec.js';
import { storageCall } from '../command-helpers.js';
import { reply } from '../step.js';

/**
 * RMD / XRMD: removes an empty directory.
 *
 * @see RFC 959 §4.1.3
 */
export const rmdCommand: CommandSpec = {
  verb: 'RMD',
  aliases: ['XRMD'],
  auth: true,
  arg: 'required',
  writes: true,
  syntax: 'RMD <SP> path -- remove a directory',
  run(ctx, arg) {
    const path = ctx.resolve(arg);
    return storageCall({ op: 'rmdir', path }, () => reply(250, 'Directory removed.'));
  },
};
