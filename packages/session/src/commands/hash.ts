import type { CommandSpec } from '../command-spec.js';
import { printable, withStat } from '../command-helpers.js';
import { errorStep, failureStep, storageErrorStep } from '../error-replies.js';
import { HASH_ALGORITHMS } from '../session-state.js';
import { reply, request } from '../step.js';

/**
 * HASH <path>: the digest of a whole file with the algorithm chosen by OPTS HASH (SHA-256 by
 * default), computed by the driver as a stream. Answers
 * "213 <algorithm> 0-<size> <hex digest> <path>".
 *
 * @see draft-bryan-ftpext-hash-02 §3
 */
export const hashCommand: CommandSpec = {
  verb: 'HASH',
  auth: true,
  arg: 'required',
  feat: (state) => [`HASH ${HASH_ALGORITHMS.map((a) => (a === state.hashAlgorithm ? `${a}*` : a)).join(';')}`],
  syntax: 'HASH <SP> path -- digest of a file (see OPTS HASH)',
  run(ctx, arg) {
    const path = ctx.resolve(arg);
    const algorithm = ctx.state.hashAlgorithm;
    return withStat(path, (stat) => {
      if (stat.type === 'dir') return storageErrorStep('EISDIR');
      return request({ kind: 'hash', path, algorithm }, (outcome) => {
        if (!outcome.ok) return failureStep(outcome);
        if (outcome.digest === undefined) return errorStep(new Error('hash outcome without digest'));
        return reply(213, `${algorithm} 0-${stat.size} ${outcome.digest} ${printable(arg)}`);
      });
    });
  },
};
