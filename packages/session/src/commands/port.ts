import { parsePortArg, type HostPort } from '@ftpkit/codec';
import type { CommandSpec } from '../command-spec.js';
import { failureStep } from '../error-replies.js';
import { dataPrepared } from '../session-state.js';
import { reply, request } from '../step.js';

/**
 * PORT h1,h2,h3,h4,p1,p2: the driver checks the target (anti-bounce, RFC 2577) and answers ok or a
 * DataChannelError, which the error table turns into 425.
 *
 * @see RFC 959 §4.1.2
 */
export const portCommand: CommandSpec = {
  verb: 'PORT',
  auth: true,
  keepsRestartMarker: true,
  arg: 'required',
  dataSetup: true,
  syntax: 'PORT <SP> h1,h2,h3,h4,p1,p2 -- active mode data port',
  run(ctx, arg) {
    let target: HostPort;
    try {
      target = parsePortArg(arg.trim());
    } catch {
      return reply(501, 'Illegal PORT command.');
    }
    return request({ kind: 'active', host: target.host, port: target.port }, (outcome) => {
      if (!outcome.ok) return failureStep(outcome);
      dataPrepared(ctx.state, { mode: 'active', host: target.host, port: target.port });
      return reply(200, 'PORT command successful. Consider using PASV.');
    });
  },
};
