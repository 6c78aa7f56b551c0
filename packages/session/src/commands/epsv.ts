import { formatEpsvReplyText } from '@ftpkit/codec';
import type { CommandSpec } from '../command-spec.js';
import { errorStep, failureStep } from '../error-replies.js';
import { dataPrepared, enterEpsvAll } from '../session-state.js';
import { reply, request } from '../step.js';

/**
 * EPSV [1|2|ALL]: passive listener named by port only (229). `EPSV ALL` promises that only EPSV
 * follows; afterwards PORT, PASV and EPRT are refused (503). A protocol number other than 1 or 2
 * is 522.
 *
 * @see RFC 2428 §3, §4
 */
export const epsvCommand: CommandSpec = {
  verb: 'EPSV',
  auth: true,
  keepsRestartMarker: true,
  arg: 'optional',
  feat: () => ['EPSV'],
  syntax: 'EPSV [<SP> 1|2|ALL] -- extended passive mode',
  run(ctx, arg) {
    const param = arg.trim().toUpperCase();
    if (param === 'ALL') {
      enterEpsvAll(ctx.state);
      return reply(200, 'EPSV ALL command successful.');
    }
    if (param !== '' && param !== '1' && param !== '2') {
      return /^\d+$/.test(param)
        ? reply(522, 'Network protocol not supported, use (1,2).')
        : reply(501, 'Syntax error in EPSV argument.');
    }
    return request({ kind: 'passive', extended: true }, (outcome) => {
      if (!outcome.ok) return failureStep(outcome);
      if (outcome.port === undefined) return errorStep(new Error('passive outcome without port'));
      dataPrepared(ctx.state, { mode: 'passive', extended: true });
      return reply(229, formatEpsvReplyText(outcome.port));
    });
  },
};
