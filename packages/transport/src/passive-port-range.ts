import { readFileSync } from 'node:fs';

/** The IANA dynamic range (RFC 6335 §6), the ephemeral range of macOS, Windows and the BSDs. */
export const IANA_EPHEMERAL_RANGE: readonly [number, number] = [49152, 65535];

/** Smallest part of the port space worth using as a default passive range. */
const MIN_DEFAULT_PORTS = 1024;
/** How far below the ephemeral range the default reaches when nothing is free above it. */
const BELOW_SPAN = 16384;

/**
 * The kernel's ephemeral port range: `/proc/sys/net/ipv4/ip_local_port_range` on Linux (by
 * default 32768–60999), the IANA range elsewhere or when that file cannot be read.
 */
export function ephemeralPortRange(procFile = '/proc/sys/net/ipv4/ip_local_port_range'): readonly [number, number] {
  try {
    const [lo, hi] = readFileSync(procFile, 'utf8').trim().split(/\s+/).map(Number);
    if (lo !== undefined && hi !== undefined && Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && lo <= hi && hi <= 65535) {
      return [lo, hi];
    }
  } catch {
    // Not Linux, or no /proc: fall through to the IANA range.
  }
  return IANA_EPHEMERAL_RANGE;
}

/**
 * The passive port range used when none is configured: ports outside the kernel's ephemeral
 * range, so that outgoing connections and ports in TIME_WAIT from earlier data connections never
 * crowd the passive listeners (a listener on a kernel-chosen port competes with every outgoing
 * connection of the machine; under ~28k data connections a minute the whole ephemeral range sits
 * in TIME_WAIT). The part above the ephemeral range when it has at least 1024 ports (Linux by
 * default: 61000–65535), otherwise up to 16384 ports just below it (macOS and Windows:
 * 32768–49151), otherwise 1024–65535.
 */
export function defaultPassivePortRange(ephemeral: readonly [number, number] = ephemeralPortRange()): readonly [number, number] {
  const [lo, hi] = ephemeral;
  if (65535 - hi >= MIN_DEFAULT_PORTS) return [hi + 1, 65535];
  const below: readonly [number, number] = [Math.max(1024, lo - BELOW_SPAN), lo - 1];
  if (below[1] - below[0] + 1 >= MIN_DEFAULT_PORTS) return below;
  return [1024, 65535];
}
