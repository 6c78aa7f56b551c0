import type { CommandSpec } from '../command-spec.js';
import { withStat } from '../command-helpers.js';
import { storageErrorStep } from '../error-replies.js';
import { changeDirectory } from '../session-state.js';
import { reply } from '../step.js';

/**
 * CWD / XCWD: changes to an existing directory.
 *
 * @see RFC 959 §4.1.1, RFC 775 (X-commands)
 */
export const cwdCommand: CommandSpec = {
  verb: 'CWD',
  aliases: ['XCWD'],
  auth: true,
  arg: 'required',
  syntax: 'CWD <SP> path -- change the working directory',
  run(ctx, arg) {
    const path = ctx.resolve(arg);
    return withStat(path, (stat) => {
      if (stat.type !== 'dir') return storageErrorStep('ENOTDIR');
      changeDirectory(ctx.state, path);
      return reply(250, 'Directory successfully changed.');
    });
  },
};
