import type { CommandSpec } from '../command-spec.js';
import { withStat } from '../command-helpers.js';
import { storageErrorStep } from '../error-replies.js';
import { reply } from '../step.js';

/**
 * SIZE: the size in bytes of a file, in TYPE I. In TYPE A the transfer size differs from the
 * stored size and counting it would read the whole file, so SIZE is refused with 550 (as vsftpd
 * and pyftpdlib do); clients switch to TYPE I first.
 *
 * @see RFC 3659 §4
 */
export const sizeCommand: CommandSpec = {
  verb: 'SIZE',
  auth: true,
  keepsRestartMarker: true,
  arg: 'required',
  feat: () => ['SIZE'],
  syntax: 'SIZE <SP> path -- size of a file in bytes (TYPE I)',
  run(ctx, arg) {
    if (ctx.state.type === 'A') return reply(550, 'SIZE not allowed in ASCII mode.');
    const path = ctx.resolve(arg);
    return withStat(path, (stat) => (stat.type === 'dir' ? storageErrorStep('EISDIR') : reply(213, String(stat.size))));
  },
};
