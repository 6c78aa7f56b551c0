import { formatMlsxLine, formatMlstFeat } from '@ftpkit/codec';
import type { CommandSpec } from '../command-spec.js';
import { printable, withStat } from '../command-helpers.js';
import { errorStep } from '../error-replies.js';
import { factsFromStat } from '../facts-from-stat.js';
import { SUPPORTED_FACTS } from '../session-state.js';
import { reply } from '../step.js';

/**
 * MLST [path]: the facts of one entry over the control connection, as
 * "250-Listing <path>", " <facts> <absolute path>", "250 End.".
 *
 * @see RFC 3659 §7.2
 */
export const mlstCommand: CommandSpec = {
  verb: 'MLST',
  auth: true,
  keepsRestartMarker: true,
  arg: 'optional',
  feat: (state) => [`MLST ${formatMlstFeat(SUPPORTED_FACTS, state.mlstFacts)}`],
  syntax: 'MLST [<SP> path] -- machine facts of one entry',
  run(ctx, arg) {
    const path = ctx.resolve(arg.trim() === '' ? '.' : arg);
    return withStat(path, (stat) => {
      let line: string;
      try {
        line = formatMlsxLine({ name: path, facts: factsFromStat(stat, ctx.state.user?.readOnly !== true) }, ctx.state.mlstFacts);
      } catch (err) {
        return errorStep(err);
      }
      return reply(250, [`Listing ${printable(path)}`, ` ${line}`, 'End.']);
    });
  },
};
