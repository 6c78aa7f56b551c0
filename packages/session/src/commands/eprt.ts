import { parseEprtArg, type HostPort } from '@ftpkit/codec';
import type { CommandSpec } from '../command-spec.js';
import { failureStep } from '../error-replies.js';
import { dataPrepared } from '../session-state.js';
import { reply, request } from '../step.js';

/**
 * EPRT |af|host|port|: like PORT for IPv4 (af 1) and IPv6 (af 2). Another address family is 522.
 *
 * @see RFC 2428 §2
 */
export const eprtCommand: CommandSpec = {
  verb: 'EPRT',
  auth: true,
  keepsRestartMarker: true,
  arg: 'required',
  dataSetup: true,
  feat: () => ['EPRT'],
  syntax: 'EPRT <SP> |af|address|port| -- extended active mode data port',
  run(ctx, arg) {
    const text = arg.trim();
    const family = text.split(text.charAt(0))[1];
    if (family !== undefined && /^\d+$/.test(family) && family !== '1' && family !== '2') {
      return reply(522, 'Network protocol not supported, use (1,2).');
    }
    let target: HostPort;
    try {
      target = parseEprtArg(text);
    } catch {
      return reply(501, 'Illegal EPRT command.');
    }
    return request({ kind: 'active', host: target.host, port: target.port }, (outcome) => {
      if (!outcome.ok) return failureStep(outcome);
      dataPrepared(ctx.state, { mode: 'active', host: target.host, port: target.port });
      return reply(200, 'EPRT command successful.');
    });
  },
};
