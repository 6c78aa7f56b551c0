import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LineTooLongError } from './errors.js';
import { LineDecoder } from './line-decoder.js';
import { bytes, chunkings, concat, feed } from './test-support/chunks.js';

const IAC = 255;

function decodeAll(chunks: readonly Uint8Array[], max?: number): Array<string | LineTooLongError> {
  const d = new LineDecoder(max === undefined ? {} : { maxLineLength: max });
  return feed(chunks, (c) => d.push(c));
}

/** Every chunking of `input` must give `expected`. */
function expectAllSplits(input: Uint8Array, expected: Array<string | LineTooLongError>, max?: number): void {
  for (const [label, chunks] of chunkings(input)) {
    expect(decodeAll(chunks, max), label).toEqual(expected);
  }
}

describe('LineDecoder', () => {
  test('CRLF and bare LF lines, tail kept', () => {
    expectAllSplits(bytes('USER anonymous\r\nPASS x\nNOOP\r\n\r\nLIST'), ['USER anonymous', 'PASS x', 'NOOP', '']);
  });

  test('pendingBytes counts the unfinished line and reset drops it', () => {
    const d = new LineDecoder();
    expect(d.push(bytes('STOR a'))).toEqual([]);
    expect(d.pendingBytes).toBe(6);
    d.reset();
    expect(d.pendingBytes).toBe(0);
    expect(d.push(bytes('b\r\n'))).toEqual(['b']);
  });

  test('UTF-8 split across chunks decodes whole; invalid UTF-8 becomes U+FFFD', () => {
    expectAllSplits(bytes('CWD ünïcödé-日本-😀\r\n'), ['CWD ünïcödé-日本-😀']);
    expectAllSplits(Uint8Array.of(0x41, 0xc3, 0x28, 0x0d, 0x0a), ['A\ufffd(']);
  });

  test('TELNET: IAC IAC is a 0xFF byte, option negotiation and 2-byte commands are dropped, at every split', () => {
    const input = concat([
      bytes('AB'),
      Uint8Array.of(IAC, 251, 1), // WILL ECHO
      bytes('C'),
      Uint8Array.of(IAC, 244), // IP
      Uint8Array.of(IAC, 242), // DM
      bytes('D'),
      Uint8Array.of(IAC, 254, 3), // DONT SGA
      Uint8Array.of(IAC, 250), // SB, dropped as a 2-byte command
      bytes('E\r\n'),
    ]);
    expectAllSplits(input, ['ABCDE']);
    // ABOR as clients send it: IAC IP IAC DM ABOR
    expectAllSplits(concat([Uint8Array.of(IAC, 244, IAC, 242), bytes('ABOR\r\n')]), ['ABOR']);
    // IAC IAC inside a line gives U+FFFD once decoded (0xFF is no UTF-8), but never ends the line.
    expectAllSplits(concat([bytes('X'), Uint8Array.of(IAC, IAC), bytes('Y\n')]), ['X\ufffdY']);
    // An option byte of 10 (LF) after IAC WILL is part of the sequence, not a line end.
    expectAllSplits(concat([bytes('X'), Uint8Array.of(IAC, 251, 10), bytes('Y\n')]), ['XY']);
  });

  test('a stray IAC before a plain byte keeps the byte (a line end is never swallowed)', () => {
    expectAllSplits(concat([bytes('X'), Uint8Array.of(IAC, 10), bytes('Y\n')]), ['X', 'Y']);
  });

  test('an over-long line yields one LineTooLongError value, the rest of it is skipped, decoding continues', () => {
    const input = bytes('12345\r\n123456\r\nabcdefghij\nok\r\n');
    const expected = ['12345', new LineTooLongError(5), new LineTooLongError(5), 'ok'];
    for (const [label, chunks] of chunkings(input)) {
      const got = decodeAll(chunks, 5);
      expect(got, label).toEqual(expected);
      const err = got[1] as LineTooLongError;
      expect(err).toBeInstanceOf(LineTooLongError);
      expect(err.code).toBe('LINE_TOO_LONG');
      expect(err.limit).toBe(5);
    }
  });

  test('the buffer never outgrows the limit', () => {
    const d = new LineDecoder({ maxLineLength: 300 });
    d.push(new Uint8Array(100_000).fill(0x41));
    expect(d.pendingBytes).toBe(0);
    expect(d.push(bytes('\nNOOP\n'))).toEqual(['NOOP']);
    d.push(new Uint8Array(250).fill(0x41));
    expect(d.pendingBytes).toBe(250);
  });

  test('refuses a non-positive limit', () => {
    expect(() => new LineDecoder({ maxLineLength: 0 })).toThrow(RangeError);
    expect(() => new LineDecoder({ maxLineLength: 1.5 })).toThrow(RangeError);
  });

  test('property: any lines survive any chunking', () => {
    const lineArb = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !/[\r\n\u00ff]/.test(s));
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 6 }), fc.array(fc.nat({ max: 200 }), { maxLength: 6 }), fc.boolean(), (lines, cuts, crlf) => {
        const input = bytes(lines.map((l) => `${l}${crlf ? '\r\n' : '\n'}`).join(''));
        const points = [...new Set(cuts.map((c) => Math.min(c, input.length)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let prev = 0;
        for (const p of [...points, input.length]) {
          chunks.push(input.subarray(prev, p));
          prev = p;
        }
        expect(decodeAll(chunks)).toEqual(lines);
      }),
    );
  });

  test('property: arbitrary bytes never throw and only give strings or LineTooLongError', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.integer({ min: 1, max: 40 }), (chunks, max) => {
        const d = new LineDecoder({ maxLineLength: max });
        for (const c of chunks) {
          for (const item of d.push(c)) {
            if (typeof item !== 'string') expect(item).toBeInstanceOf(LineTooLongError);
          }
          expect(d.pendingBytes).toBeLessThanOrEqual(max + 1);
        }
      }),
    );
  });
});
