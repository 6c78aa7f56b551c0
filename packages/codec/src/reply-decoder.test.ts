import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ReplySyntaxError, ReplyTooLargeError } from './errors.js';
import type { Reply } from './reply.js';
import { ReplyDecoder } from './reply-decoder.js';
import { bytes, chunkings, feed, fixture } from './test-support/chunks.js';

function expectAllSplits(input: Uint8Array, expected: Reply[]): void {
  for (const [label, chunks] of chunkings(input)) {
    const d = new ReplyDecoder();
    expect(feed(chunks, (c) => d.push(c)), label).toEqual(expected);
  }
}

const reply = (code: number, ...lines: string[]): Reply => ({ code, lines, text: lines.join('\n') });

describe('ReplyDecoder', () => {
  test('several replies in one chunk, split at any byte, CRLF or LF', () => {
    expectAllSplits(bytes('220 ready\r\n331 pw\n230 in\r\n200\r\n'), [reply(220, 'ready'), reply(331, 'pw'), reply(230, 'in'), reply(200, '')]);
  });

  test('multi-line: plain inner lines, inner lines with the code and "-", different codes, indented digits', () => {
    const input = bytes('211-Features:\r\n MDTM\r\n211-SIZE\r\n200 not the end\r\n 211 indented\r\n211\r\n250 next\r\n');
    expectAllSplits(input, [reply(211, 'Features:', ' MDTM', 'SIZE', '200 not the end', '211 indented', ''), reply(250, 'next')]);
  });

  test('UTF-8 split across chunks', () => {
    expectAllSplits(bytes('257 "/日本 😀" created\r\n'), [reply(257, '"/日本 😀" created')]);
  });

  test.each(['vsftpd', 'pure-ftpd', 'proftpd'])('decodes the captured %s FEAT reply at every split', (server) => {
    const input = fixture(`${server}-feat.txt`);
    for (const [label, chunks] of chunkings(input)) {
      const d = new ReplyDecoder();
      const got = feed(chunks, (c) => d.push(c));
      expect(got, label).toHaveLength(1);
      expect(got[0]?.code).toBe(211);
      expect(got[0]?.lines).toContain(' EPSV');
    }
  });

  test.each(['pure-ftpd', 'proftpd'])('decodes the captured %s MLST reply', (server) => {
    const [r] = new ReplyDecoder().push(fixture(`${server}-mlst.txt`));
    expect(r?.code).toBe(250);
    expect(r?.lines).toHaveLength(3);
    expect(r?.lines[1]).toMatch(/^ .*size=1234;.* \/?with space\.txt$/);
  });

  test.each(['hello\r\n', '20 ok\r\n', '2000 x\r\n', '200x\r\n', '700 x\r\n', '\r\n', ' 200 x\r\n'])(
    'garbage %j throws ReplySyntaxError, and the decoder stays broken',
    (text) => {
      const d = new ReplyDecoder();
      let first: unknown;
      try {
        d.push(bytes(text));
      } catch (err) {
        first = err;
      }
      expect(first).toBeInstanceOf(ReplySyntaxError);
      expect((first as ReplySyntaxError).code).toBe('BAD_REPLY');
      expect(() => d.push(bytes('200 ok\r\n'))).toThrow(first as Error);
    },
  );

  test('a reply larger than maxReplySize throws ReplyTooLargeError (one long line, many lines, unfinished tail)', () => {
    const oneLine = new ReplyDecoder({ maxReplySize: 100 });
    expect(() => oneLine.push(bytes(`200 ${'x'.repeat(200)}\r\n`))).toThrow(ReplyTooLargeError);

    const many = new ReplyDecoder({ maxReplySize: 100 });
    let err: unknown;
    try {
      for (let i = 0; i < 50; i++) many.push(bytes(i === 0 ? '211-start\r\n' : ' line of text\r\n'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReplyTooLargeError);
    expect((err as ReplyTooLargeError).limit).toBe(100);
    expect((err as ReplyTooLargeError).code).toBe('REPLY_TOO_LARGE');

    const tail = new ReplyDecoder({ maxReplySize: 100 });
    tail.push(bytes('211-start\r\n'));
    expect(() => tail.push(bytes('x'.repeat(95)))).toThrow(ReplyTooLargeError);

    const exact = new ReplyDecoder({ maxReplySize: 12 });
    expect(exact.push(bytes('211-ab\r\n21'))).toEqual([]);
    expect(() => exact.push(bytes('1 cd\r\n'))).toThrow(ReplyTooLargeError);
  });

  test('counts multi-byte characters as UTF-8 bytes', () => {
    const d = new ReplyDecoder({ maxReplySize: 20 });
    d.push(bytes('211-é\r\n')); // 5 + 1 extra byte + 2
    expect(() => d.push(bytes(' 日本😀\r\n'))).toThrow(ReplyTooLargeError); // 1 + 6 + 4 + 2 = 13 -> 21
  });

  test('refuses a non-positive limit', () => {
    expect(() => new ReplyDecoder({ maxReplySize: 0 })).toThrow(RangeError);
  });

  test('property: arbitrary bytes give replies or throw only the typed errors', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), (chunks) => {
        const d = new ReplyDecoder({ maxReplySize: 64 });
        try {
          for (const c of chunks) for (const r of d.push(c)) expect(r.code).toBeGreaterThanOrEqual(100);
        } catch (err) {
          expect(err instanceof ReplySyntaxError || err instanceof ReplyTooLargeError).toBe(true);
        }
      }),
    );
  });

  test('property: mostly-valid reply streams never throw anything untyped', () => {
    const piece = fc.oneof(
      fc.constantFrom('200 ok\r\n', '211-a\r\n', ' b\r\n', '211 end\r\n', '211-x\r\n', '\n', '5', '0 ', '\r'),
      fc.string({ maxLength: 5 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const d = new ReplyDecoder({ maxReplySize: 50 });
        try {
          for (const p of pieces) d.push(bytes(p));
        } catch (err) {
          expect(err instanceof ReplySyntaxError || err instanceof ReplyTooLargeError).toBe(true);
        }
      }),
    );
  });
});
