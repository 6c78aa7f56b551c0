import type { CommandSpec } from '../command-spec.js';
import { withStat } from '../command-helpers.js';
import { storageErrorStep } from '../error-replies.js';
import { dataChannelRefusal, runTransfer } from '../transfer-flow.js';

/**
 * MLSD [path]: machine listing of a directory with the facts selected by OPTS MLST. A path that
 * names a file is refused (ENOTDIR, 550) before the data connection is touched.
 *
 * @see RFC 3659 §7
 */
export const mlsdCommand: CommandSpec = {
  verb: 'MLSD',
  auth: true,
  arg: 'optional',
  syntax: 'MLSD [<SP> path] -- machine listing of a directory',
  run(ctx, arg) {
    const refusal = dataChannelRefusal(ctx);
    if (refusal !== undefined) return refusal;
    const path = ctx.resolve(arg.trim() === '' ? '.' : arg);
    return withStat(path, (stat) => {
      if (stat.type !== 'dir') return storageErrorStep('ENOTDIR');
      return runTransfer(
        ctx,
        { type: 'list', path, format: 'mlsd', facts: ctx.state.mlstFacts },
        'Here comes the directory listing.',
      );
    });
  },
};
