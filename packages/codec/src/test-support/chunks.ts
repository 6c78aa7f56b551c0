import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Named ways to cut `bytes` into chunks: whole, byte by byte, and split at every offset. */
export function chunkings(bytes: Uint8Array): Array<[label: string, chunks: Uint8Array[]]> {
  const out: Array<[string, Uint8Array[]]> = [['whole', [bytes]]];
  out.push(['byte by byte', Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))]);
  for (let at = 1; at < bytes.length; at++) out.push([`split at ${at}`, [bytes.subarray(0, at), bytes.subarray(at)]]);
  return out;
}

/** Feeds every chunk to `push` and concatenates what it returns. */
export function feed<T>(chunks: readonly Uint8Array[], push: (chunk: Uint8Array) => T[]): T[] {
  return chunks.flatMap((c) => push(c));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Raw bytes of a file in `src/__fixtures__`. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`../__fixtures__/${name}`, import.meta.url))));
}

/** A fixture decoded as UTF-8. */
export const fixtureText = (name: string): string => new TextDecoder().decode(fixture(name));

/** The moment the captured fixtures were taken (see __fixtures__/README.md). */
export const CAPTURED_AT = new Date('2026-11-25T16:38:00Z');
