import type { Reply } from '@ftpkit/codec';

/**
 * The server's FEAT answer: upper-case feature name -> its parameters ('' when none).
 * A feature not listed is taken as unsupported. @see RFC 2389 §3.2
 */
export type Features = ReadonlyMap<string, string>;

/** Parses a 211 FEAT reply; anything else (500, 502) means "no features". */
export function parseFeatures(reply: Reply): Features {
  const map = new Map<string, string>();
  if (reply.code !== 211) return map;
  // The first and last lines are free text ("Features:", "End"); features are indented by a space.
  for (const line of reply.lines.slice(1, -1)) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const space = trimmed.indexOf(' ');
    const name = (space < 0 ? trimmed : trimmed.slice(0, space)).toUpperCase();
    map.set(name, space < 0 ? '' : trimmed.slice(space + 1).trim());
  }
  return map;
}

/** HASH algorithms the server offers (`HASH SHA-256*;SHA-1;MD5`), the selected one first. */
export function hashAlgorithms(features: Features): string[] {
  const raw = features.get('HASH');
  if (raw === undefined) return [];
  const algos = raw.split(';').map((a) => a.trim()).filter(Boolean);
  const selected = algos.filter((a) => a.endsWith('*')).map((a) => a.slice(0, -1));
  return [...selected, ...algos.filter((a) => !a.endsWith('*'))];
}
