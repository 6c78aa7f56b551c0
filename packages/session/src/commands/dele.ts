import type { CommandSpec } from '../command-spec.js';
import { storageCall } from '../command-helpers.js';
import { reply } from '../step.js';

/**
 * DELE: deletes a file.
 *
 * @see RFC 959 §4.1.3
 */
export const deleCommand: CommandSpec = {
  verb: 'DELE',
  auth: true,
  arg: 'required',
  writes: true,
  syntax: 'DELE <SP> path -- delete a file',
  run(ctx, arg) {
    const path = ctx.resolve(arg);
    return storageCall({ op: 'delete', path }, () => reply(250, 'File deleted.'));
  },
};
