import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ReplySyntaxError } from './errors.js';
import { parseQuotedPath, quotePath } from './quoted-path.js';
import { fixtureText } from './test-support/chunks.js';

describe('257 paths', () => {
  test('quotePath doubles quotes', () => {
    expect(quotePath('/a "b" c')).toBe('"/a ""b"" c"');
    expect(quotePath('')).toBe('""');
  });

  test('parseQuotedPath', () => {
    expect(parseQuotedPath('"/a ""b"" c" created')).toBe('/a "b" c');
    expect(parseQuotedPath('"/"')).toBe('/');
    expect(parseQuotedPath('MKD ok "/x"\tcreated')).toBe('/x');
    expect(parseQuotedPath('""""')).toBe('"');
  });

  test('undoubled quotes (pure-ftpd) are read up to the last quote before a space', () => {
    expect(parseQuotedPath('"/say "hi"" is your current location')).toBe('/say "hi"');
    expect(parseQuotedPath('"/a"b"')).toBe('/a"b');
    expect(() => parseQuotedPath('"/a"b')).toThrow(ReplySyntaxError);
  });

  test.each(['no quotes', '"unterminated', '"/a""'])('refuses %j', (text) => {
    expect(() => parseQuotedPath(text)).toThrow(ReplySyntaxError);
  });

  test.each(['vsftpd', 'pure-ftpd', 'proftpd'])('reads the captured %s 257 replies', (server) => {
    expect(parseQuotedPath(fixtureText(`${server}-pwd.txt`).slice(4))).toBe('/a dir');
    expect(parseQuotedPath(fixtureText(`${server}-pwd-quote.txt`).slice(4))).toBe('/say "hi"');
  });

  test('property: quote then parse is the identity, with text after it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.constantFrom('', ' created', ' is the current directory'), (path, tail) => {
        expect(parseQuotedPath(`${quotePath(path)}${tail}`)).toBe(path);
      }),
    );
  });
});
