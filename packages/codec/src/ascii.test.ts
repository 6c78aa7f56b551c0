import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AsciiDecoder, AsciiEncoder } from './ascii.js';
import { bytes, chunkings, concat } from './test-support/chunks.js';

function run(codec: AsciiEncoder | AsciiDecoder, chunks: readonly Uint8Array[]): string {
  return new TextDecoder().decode(concat([...chunks.map((c) => codec.push(c)), codec.end()]));
}

function expectAllSplits(make: () => AsciiEncoder | AsciiDecoder, input: string, expected: string): void {
  for (const [label, chunks] of chunkings(bytes(input))) expect(run(make(), chunks), label).toBe(expected);
}

describe('AsciiEncoder (RFC 959 §3.1.1.1)', () => {
  test('bare LF becomes CRLF, CRLF and lone CR stay, at every split', () => {
    expectAllSplits(() => new AsciiEncoder(), 'a\nb\r\nc\rd\n\n日本\r', 'a\r\nb\r\nc\rd\r\n\r\n日本\r');
  });

  test('a chunk without LF comes back as it is', () => {
    const chunk = bytes('abc\r');
    const e = new AsciiEncoder();
    expect(e.push(chunk)).toBe(chunk);
    expect([...e.push(bytes('\n'))]).toEqual([0x0a]);
  });

  test('empty chunks and reuse after end()', () => {
    const e = new AsciiEncoder();
    expect(e.push(new Uint8Array(0))).toHaveLength(0);
    e.push(bytes('x\r'));
    expect(e.end()).toHaveLength(0);
    expect(new TextDecoder().decode(e.push(bytes('\n')))).toBe('\r\n');
  });
});

describe('AsciiDecoder (RFC 959 §3.1.1.1)', () => {
  test('CRLF becomes LF, CR at a chunk end waits, lone CR stays, at every split', () => {
    expectAllSplits(() => new AsciiDecoder(), 'a\r\nb\rc\r\r\nd\n日本\r', 'a\nb\rc\r\nd\n日本\r');
  });

  test('a chunk without CR comes back as it is', () => {
    const chunk = bytes('abc\n');
    expect(new AsciiDecoder().push(chunk)).toBe(chunk);
  });

  test('a held CR followed by a non-LF chunk is written out', () => {
    const d = new AsciiDecoder();
    expect([...d.push(bytes('a\r'))]).toEqual([0x61]);
    expect([...d.push(bytes('b'))]).toEqual([0x0d, 0x62]);
    expect(d.push(new Uint8Array(0))).toHaveLength(0);
    expect(d.end()).toHaveLength(0);
  });

  test('property: decode(encode(x)) == x for text without CR; any chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }).map((a) => a.filter((b) => b !== 0x0d)), fc.array(fc.nat({ max: 200 }), { maxLength: 5 }), (data, cuts) => {
        const split = (input: Uint8Array): Uint8Array[] => {
          const points = [...new Set(cuts.map((c) => Math.min(c, input.length)))].sort((a, b) => a - b);
          const out: Uint8Array[] = [];
          let prev = 0;
          for (const p of [...points, input.length]) {
            out.push(input.subarray(prev, p));
            prev = p;
          }
          return out;
        };
        const enc = new AsciiEncoder();
        const wire = concat([...split(data).map((c) => enc.push(c)), enc.end()]);
        expect(wire.filter((b) => b === 0x0a).length).toBe(wire.filter((b) => b === 0x0d).length);
        const dec = new AsciiDecoder();
        const back = concat([...split(wire).map((c) => dec.push(c)), dec.end()]);
        expect([...back]).toEqual([...data]);
      }),
    );
  });

  test('property: arbitrary bytes in any chunks never throw and output never grows', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 6 }), (chunks) => {
        const d = new AsciiDecoder();
        const total = concat([...chunks.map((c) => d.push(c)), d.end()]);
        expect(total.length).toBeLessThanOrEqual(chunks.reduce((n, c) => n + c.length, 0));
      }),
    );
  });
});
