import { lookup } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError } from './config-error.js';

/** How long the start-up lookup of a `--pasv-address` name may take. */
const LOOKUP_TIMEOUT_MS = 10_000;

// A DNS name: dot-separated labels of letters, digits and inner hyphens (RFC 1123 §2.1), the last
// one not all digits, so `1.2.3` or `300.1.1.1` is not taken for a name (getaddrinfo would).
const HOST_NAME = /^(?=.{1,253}\.?$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*(?!\d+\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/i;

/** The passive address to announce, and the name it was resolved from, if any. */
export interface PasvAddress {
  address: string;
  name: string | undefined;
}

/**
 * Turns `--pasv-address` into the IPv4 address a `227` reply carries: an IPv4 address as is, a
 * host name resolved once, at start (as vsftpd's `pasv_addr_resolve`). Anything else, an IPv6
 * address (a `227` cannot carry one) or a name that does not resolve to IPv4 in time, throws a
 * {@link ConfigError} naming `source`: the server would otherwise announce another address.
 */
export async function resolvePasvAddress(text: string, source: string): Promise<PasvAddress> {
  if (text === '0.0.0.0') throw new ConfigError(source, '0.0.0.0 is no address a client can connect to: give the public IPv4 address or a host name');
  if (isIPv4(text)) return { address: text, name: undefined };
  if (isIPv6(text)) throw new ConfigError(source, `${text} is IPv6: PASV replies carry IPv4 only (EPSV needs no address); give an IPv4 address or a host name`);
  if (!HOST_NAME.test(text)) throw new ConfigError(source, `${JSON.stringify(text)} is neither an IPv4 address nor a host name`);
  let timer: NodeJS.Timeout | undefined;
  let found: { address: string };
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${LOOKUP_TIMEOUT_MS / 1000} s`)), LOOKUP_TIMEOUT_MS);
  });
  try {
    found = await Promise.race([lookup(text, { family: 4 }), timeout]);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(source, `${text} does not resolve to an IPv4 address (${reason})`);
  } finally {
    clearTimeout(timer);
  }
  if (found.address === '0.0.0.0') throw new ConfigError(source, `${text} resolves to 0.0.0.0, no address a client can connect to`);
  return { address: found.address, name: text };
}
