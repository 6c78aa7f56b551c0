import { formatPasvReplyText } from '@ftpkit/codec';
import type { CommandSpec } from '../command-spec.js';
import { errorStep, failureStep } from '../error-replies.js';
import { dataPrepared } from '../session-state.js';
import { fire, reply, request } from '../step.js';

/**
 * PASV: the driver opens a passive listener and names host and port; 227 with h1,...,p2. An IPv6
 * listener cannot be written in a 227 reply: the listener is dropped and the client is told to use
 * EPSV (425).
 *
 * @see RFC 959 §4.1.2, RFC 2428 §3
 */
export const pasvCommand: CommandSpec = {
  verb: 'PASV',
  auth: true,
  keepsRestartMarker: true,
  arg: 'none',
  dataSetup: true,
  syntax: 'PASV -- passive mode data port',
  run(ctx) {
    return request({ kind: 'passive', extended: false }, (outcome) => {
      if (!outcome.ok) return failureStep(outcome);
      if (outcome.host === undefined || outcome.port === undefined) {
        return errorStep(new Error('passive outcome without host and port'));
      }
      let text: string;
      try {
        text = formatPasvReplyText({ host: outcome.host, port: outcome.port });
      } catch {
        return fire({ kind: 'close-data' }, reply(425, "Can't describe this address in a PASV reply; use EPSV."));
      }
      dataPrepared(ctx.state, { mode: 'passive', extended: false });
      return reply(227, text);
    });
  },
};
