/**
 * Data-connection addresses: PORT and 227 (RFC 959), EPRT and 229 (RFC 2428).
 *
 * Hosts are returned in one canonical spelling: IPv4 dotted decimal without leading zeros, IPv6 as
 * RFC 5952 (lower case, longest zero run compressed). Every parser throws {@link AddressError}
 * rather than return a host or port it is unsure of.
 */
import { AddressError } from './errors.js';
import { formatIpv6, parseIpv4, parseIpv6, unmapIpv4 } from './ip-address.js';

/** A host and TCP port. */
export interface HostPort {
  host: string;
  port: number;
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AddressError(`port must be 1..65535, got ${port}`);
  return port;
}

/** IPv4 octets of a host given as "a.b.c.d" or IPv4-mapped IPv6 "::ffff:a.b.c.d". */
function ipv4Octets(host: string): number[] {
  const direct = parseIpv4(host);
  if (direct) return direct;
  const groups = parseIpv6(host);
  const mapped = groups && unmapIpv4(groups);
  const octets = mapped && parseIpv4(mapped);
  if (!octets) throw new AddressError(`not an IPv4 address: ${JSON.stringify(host)}`);
  return octets;
}

function formatSix({ host, port }: HostPort): string {
  checkPort(port);
  return [...ipv4Octets(host), port >> 8, port & 0xff].join(',');
}

function fromSix(numbers: readonly string[]): HostPort {
  const n = numbers.map(Number);
  if (n.length !== 6 || n.some((x) => !Number.isInteger(x) || x > 255)) throw new AddressError('host-port numbers must be 0..255');
  const port = (n[4] as number) * 256 + (n[5] as number);
  return { host: n.slice(0, 4).join('.'), port: checkPort(port) };
}

/**
 * PORT argument "h1,h2,h3,h4,p1,p2" for an IPv4 host (or an IPv4-mapped IPv6 one).
 * Throws {@link AddressError} for other hosts and ports outside 1..65535.
 *
 * @see RFC 959 §4.1.2 (PORT)
 */
export function formatPortArg(hp: HostPort): string {
  return formatSix(hp);
}

/**
 * Parses a PORT argument: six decimal numbers separated by commas (spaces around them allowed).
 * Throws {@link AddressError} for a number over 255, port 0, or anything else.
 *
 * @see RFC 959 §4.1.2 (PORT)
 */
export function parsePortArg(arg: string): HostPort {
  const m = /^\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*$/.exec(arg);
  if (!m) throw new AddressError(`bad PORT argument ${JSON.stringify(arg.slice(0, 80))}`);
  return fromSix(m.slice(1));
}

/**
 * 227 reply text "Entering Passive Mode (h1,h2,h3,h4,p1,p2)." (IPv4 or IPv4-mapped host).
 *
 * @see RFC 959 §4.1.2 (PASV), §4.2.2 (227)
 */
export function formatPasvReplyText(hp: HostPort): string {
  return `Entering Passive Mode (${formatSix(hp)}).`;
}

const SIX_IN_TEXT = /(?<!\d)(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})(?!\d)/;

/**
 * Finds the six numbers in a 227 reply text, with or without parentheses and any text around.
 * Throws {@link AddressError} when there are none or they are out of range.
 *
 * @see RFC 959 §4.1.2 (PASV)
 */
export function parsePasvReplyText(text: string): HostPort {
  const m = SIX_IN_TEXT.exec(text);
  if (!m) throw new AddressError(`no host-port in 227 text ${JSON.stringify(text.slice(0, 80))}`);
  return fromSix(m.slice(1));
}

/**
 * EPRT argument "|1|127.0.0.1|1025|" or "|2|::1|1025|". An IPv4-mapped IPv6 host is sent as family 1
 * (servers compare it with an IPv4 control connection). Throws {@link AddressError} for a host that
 * is no IP address (names, zone ids) or a bad port.
 *
 * @see RFC 2428 §2
 */
export function formatEprtArg(hp: HostPort): string {
  checkPort(hp.port);
  const v4 = parseIpv4(hp.host);
  if (v4) return `|1|${v4.join('.')}|${hp.port}|`;
  const groups = parseIpv6(hp.host);
  if (!groups) throw new AddressError(`not an IP address: ${JSON.stringify(hp.host)}`);
  const mapped = unmapIpv4(groups);
  return mapped ? `|1|${mapped}|${hp.port}|` : `|2|${formatIpv6(groups)}|${hp.port}|`;
}

/**
 * Parses an EPRT argument with any delimiter character 33..126. Family 1 needs an IPv4 address,
 * family 2 an IPv6 one (returned in RFC 5952 form). Throws {@link AddressError} otherwise.
 *
 * @see RFC 2428 §2
 */
export function parseEprtArg(arg: string): HostPort & { family: 1 | 2 } {
  const bad = (): AddressError => new AddressError(`bad EPRT argument ${JSON.stringify(arg.slice(0, 80))}`);
  const d = arg.charCodeAt(0);
  if (!(d >= 33 && d <= 126)) throw bad();
  const parts = arg.split(arg[0] as string);
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') throw bad();
  const [, family, host = '', portText = ''] = parts;
  if (!/^\d{1,5}$/.test(portText)) throw bad();
  const port = checkPort(Number(portText));
  if (family === '1') {
    const v4 = parseIpv4(host);
    if (!v4) throw bad();
    return { family: 1, host: v4.join('.'), port };
  }
  if (family === '2') {
    const groups = parseIpv6(host);
    if (!groups) throw bad();
    return { family: 2, host: formatIpv6(groups), port };
  }
  throw bad();
}

/**
 * 229 reply text "Entering Extended Passive Mode (|||1025|)".
 *
 * @see RFC 2428 §3
 */
export function formatEpsvReplyText(port: number): string {
  return `Entering Extended Passive Mode (|||${checkPort(port)}|)`;
}

const EPSV_IN_PARENS = /\(([!-/:-~])\1\1(\d{1,5})\1\)/;
const EPSV_BARE = /([!-/:-~])\1\1(\d{1,5})\1/;

/**
 * The port in a 229 reply text: "(|||port|)" with any delimiter 33..126 except digits; parentheses preferred but
 * not required. Throws {@link AddressError} when there is none or it is out of range.
 *
 * @see RFC 2428 §3
 */
export function parseEpsvReplyText(text: string): number {
  const m = EPSV_IN_PARENS.exec(text) ?? EPSV_BARE.exec(text);
  if (!m) throw new AddressError(`no port in 229 text ${JSON.stringify(text.slice(0, 80))}`);
  return checkPort(Number(m[2]));
}
