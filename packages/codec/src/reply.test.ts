import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeReply, formatReply, replyKind } from './reply.js';
import { ReplyDecoder } from './reply-decoder.js';

describe('formatReply', () => {
  test('one line', () => {
    expect(formatReply(200, 'ok')).toBe('200 ok\r\n');
    expect(formatReply(200, ['ok'])).toBe('200 ok\r\n');
    expect(formatReply(200, '')).toBe('200 \r\n');
    expect(formatReply(200, [])).toBe('200 \r\n');
  });

  test('multi-line per RFC 959 §4.2; inner lines starting with a digit are indented', () => {
    expect(formatReply(211, ['Features:', ' MDTM', '211 not the end', '  5 spaces then digit', 'End'])).toBe(
      '211-Features:\r\n MDTM\r\n 211 not the end\r\n   5 spaces then digit\r\n211 End\r\n',
    );
    expect(formatReply(214, 'a\r\nb\nc\rd')).toBe('214-a\r\nb\r\nc\r\n214 d\r\n');
    expect(formatReply(214, ['a', 'b\nc'])).toBe('214-a\r\nb\r\n214 c\r\n');
  });

  test('encodeReply is UTF-8', () => {
    expect(new TextDecoder().decode(encodeReply(257, '"/ü" created'))).toBe('257 "/ü" created\r\n');
  });

  test('refuses codes outside 100..699', () => {
    for (const code of [99, 700, 200.5, Number.NaN]) expect(() => formatReply(code, 'x')).toThrow(RangeError);
    expect(formatReply(631, 'x')).toBe('631 x\r\n');
  });

  test('property: format then decode gives the code and lines back', () => {
    const line = fc.string({ maxLength: 30 }).filter((s) => !/[\r\n\u00ff]/.test(s));
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.array(line, { minLength: 1, maxLength: 6 }), (code, lines) => {
        const replies = new ReplyDecoder().push(encodeReply(code, lines));
        expect(replies).toEqual([{ code, lines, text: lines.join('\n') }]);
      }),
    );
  });
});

describe('replyKind', () => {
  test.each([
    [150, 'preliminary'],
    [226, 'completion'],
    [331, 'intermediate'],
    [425, 'transient'],
    [550, 'permanent'],
  ] as const)('%i is %s', (code, kind) => {
    expect(replyKind(code)).toBe(kind);
  });

  test('refuses codes that are not 100..599', () => {
    for (const code of [0, 99, 600, 631, 1.5]) expect(() => replyKind(code)).toThrow(RangeError);
  });
});
