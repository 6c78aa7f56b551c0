import { isIPv4 } from 'node:net';

/**
 * The canonical text of an IP address: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes plain IPv4, and
 * IPv6 is lower-cased, so addresses seen by different sockets of one peer compare equal.
 */
export function normalizeAddress(address: string): string {
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1] !== undefined) return mapped[1];
  const zone = lower.indexOf('%');
  return zone === -1 ? lower : lower.slice(0, zone);
}

/** True when both texts name the same IP address (after {@link normalizeAddress}). */
export function sameAddress(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return normalizeAddress(a) === normalizeAddress(b);
}

/** True for an address that a PASV (227) reply can carry: IPv4, also in its mapped IPv6 form. */
export function isIPv4Address(address: string): boolean {
  return isIPv4(normalizeAddress(address));
}
