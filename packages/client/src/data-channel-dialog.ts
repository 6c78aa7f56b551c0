import { formatEprtArg, formatPortArg, parseEpsvReplyText, parsePasvReplyText, type HostPort } from '@ftpkit/codec';
import { command, expectReply, type Dialog } from './dialog.js';
import { FtpProtocolError } from './errors.js';

/** Which passive command worked last time; remembered per connection. */
export type PassiveMode = 'epsv' | 'pasv';

/** What passive negotiation needs to know about the control connection. */
export interface PassiveParams {
  /** The address the control connection is connected to (the server's IP). */
  controlHost: string;
  /** 6 when the control connection runs over IPv6 (PASV cannot work then). */
  family: 4 | 6;
  /** The mode that worked before, if any. */
  known?: PassiveMode;
  /** Trust the address in a 227 reply even when it differs from the control host (broken NAT). */
  allowPasvHost?: boolean;
}

/** Where to connect for the data, how it was learned, and any address the client refused. */
export interface PassiveTarget extends HostPort {
  mode: PassiveMode;
  /** The host a 227 reply named when it was replaced by the control host. */
  ignoredHost?: string;
}

/**
 * EPSV first, PASV when the server does not know EPSV (5xx), remembering what worked. A 227 naming
 * another host is the PASV-redirect attack (or a NAT mistake): the control host is used instead
 * unless `allowPasvHost`. @see RFC 2428 §3, RFC 959 §4.1.2, RFC 2577 §3
 */
export function* passiveDialog(p: PassiveParams): Dialog<PassiveTarget> {
  if (p.known !== 'pasv') {
    const epsv = yield command('EPSV');
    if (epsv.code === 229) {
      let port: number;
      try {
        port = parseEpsvReplyText(epsv.text);
      } catch (err) {
        throw new FtpProtocolError(`bad EPSV reply: ${epsv.text}`, { cause: err });
      }
      return { host: p.controlHost, port, mode: 'epsv' };
    }
    if (p.known === 'epsv' || p.family === 6 || epsv.code < 500) expectReply(epsv, [229], 'EPSV');
  }
  const pasv = yield command('PASV');
  expectReply(pasv, [227], 'PASV');
  let hp: HostPort;
  try {
    hp = parsePasvReplyText(pasv.text);
  } catch (err) {
    throw new FtpProtocolError(`bad PASV reply: ${pasv.text}`, { cause: err });
  }
  const target: PassiveTarget = { host: p.controlHost, port: hp.port, mode: 'pasv' };
  if (hp.host !== p.controlHost && !sameIPv4(hp.host, p.controlHost)) {
    if (p.allowPasvHost && hp.host !== '0.0.0.0') target.host = hp.host;
    else target.ignoredHost = hp.host;
  }
  return target;
}

function sameIPv4(a: string, b: string): boolean {
  const strip = (s: string) => (s.startsWith('::ffff:') ? s.slice(7) : s);
  return strip(a) === strip(b);
}

/** Which active command worked last time. */
export type ActiveMode = 'eprt' | 'port';

/**
 * Tells the server where to connect: EPRT first, PORT when EPRT is unknown and the address is IPv4.
 * @see RFC 2428 §2, RFC 959 §4.1.2
 */
export function* activeDialog(local: HostPort, known?: ActiveMode): Dialog<ActiveMode> {
  const v4 = !local.host.includes(':') || local.host.startsWith('::ffff:');
  const hp = { host: local.host.startsWith('::ffff:') ? local.host.slice(7) : local.host, port: local.port };
  if (known !== 'port') {
    const eprt = yield command('EPRT', formatEprtArg(hp));
    if (eprt.code === 200) return 'eprt';
    if (known === 'eprt' || !v4 || eprt.code < 500) expectReply(eprt, [200], 'EPRT');
  }
  const port = yield command('PORT', formatPortArg(hp));
  expectReply(port, [200], 'PORT');
  return 'port';
}
