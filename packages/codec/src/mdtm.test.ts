import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MdtmError } from './errors.js';
import { formatMdtm, parseMdtm } from './mdtm.js';
import { fixtureText } from './test-support/chunks.js';

describe('MDTM time-val (RFC 3659 §2.3)', () => {
  test('format: UTC, fraction only when there are milliseconds', () => {
    expect(formatMdtm(new Date('2024-01-02T03:04:05Z'))).toBe('20240102030405');
    expect(formatMdtm(new Date('2024-01-02T03:04:05.067Z'))).toBe('20240102030405.067');
    expect(formatMdtm(new Date('0099-12-31T23:59:59Z'))).toBe('00991231235959');
  });

  test('format refuses invalid dates and years past 9999', () => {
    expect(() => formatMdtm(new Date(Number.NaN))).toThrow(MdtmError);
    expect(() => formatMdtm(new Date('+010000-01-01T00:00:00Z'))).toThrow(MdtmError);
    expect(() => formatMdtm(new Date('-000001-01-01T00:00:00Z'))).toThrow(MdtmError);
  });

  test('parse: fractions of any length, whitespace around', () => {
    expect(parseMdtm('20240102030405').toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(parseMdtm('20240102030405.1').toISOString()).toBe('2024-01-02T03:04:05.100Z');
    expect(parseMdtm('20240102030405.12').toISOString()).toBe('2024-01-02T03:04:05.120Z');
    expect(parseMdtm(' 20240102030405.123456 ').toISOString()).toBe('2024-01-02T03:04:05.123Z');
    expect(parseMdtm('00500101000000').getUTCFullYear()).toBe(50);
    expect(parseMdtm('20240229000000').toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  test.each(['', '2024010203040', '202401020304051', '20240102030405.', '20240230000000', '20230229000000', '20241301000000', '20240100000000', '20240102240000', '20240102236000', '20240102230060', 'x20240102030405', '2024-01-02'])(
    'parse refuses %j',
    (text) => {
      let err: unknown;
      try {
        parseMdtm(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MdtmError);
      expect((err as MdtmError).code).toBe('BAD_TIME');
    },
  );

  test.each(['vsftpd', 'pure-ftpd', 'proftpd'])('reads the captured %s 213 reply', (server) => {
    expect(parseMdtm(fixtureText(`${server}-mdtm.txt`).slice(4)).toISOString()).toBe('2019-03-04T05:06:07.000Z');
  });

  test('property: format then parse is the identity for years 0..9999', () => {
    const date = fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
    fc.assert(
      fc.property(date, (d) => {
        expect(parseMdtm(formatMdtm(d)).getTime()).toBe(d.getTime());
      }),
    );
  });

  test('property: parse throws only MdtmError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^\d{14}(\.\d{0,4})?$/)), (text) => {
        try {
          parseMdtm(text);
        } catch (err) {
          expect(err).toBeInstanceOf(MdtmError);
        }
      }),
    );
  });
});
