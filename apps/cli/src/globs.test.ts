import { describe, expect, it } from 'vitest';
import { createNameMatcher, escapeGlob, hasGlob, parseRemoteGlobUrl, unescapeGlob } from './globs.js';

const names = ['a.txt', 'b.txt', 'c.log', '.hidden.txt', 'x*y.txt', 'x?y.txt', 'report (1).txt', '{a,b}.txt', '[ab].txt', '!a.txt', '..', 'a+(b).txt'];
const matching = (pattern: string): string[] => names.filter(createNameMatcher(pattern));

describe('pattern rule: only *, ? and [...] are syntax; \\ makes them literal', () => {
  it('tells patterns from plain names', () => {
    for (const p of ['*.txt', 'a?.txt', '[ab].txt', 'x\\**', '[!a]*']) expect(hasGlob(p), p).toBe(true);
    for (const p of ['a.txt', 'report (1).txt', '{a,b}.txt', 'a+(b).txt', '!a.txt', 'x\\*y.txt', 'a[b', 'a]b', 'x\\?y', '\\[ab].txt']) {
      expect(hasGlob(p), p).toBe(false);
    }
  });

  it('matches names of one directory like a POSIX shell', () => {
    expect(matching('*.txt')).toEqual(['a.txt', 'b.txt', 'x*y.txt', 'x?y.txt', 'report (1).txt', '{a,b}.txt', '[ab].txt', '!a.txt', 'a+(b).txt']);
    // picomatch also counts a name equal to the pattern as written: a file named "[ab].txt" is found too.
    expect(matching('[ab].txt')).toEqual(['a.txt', 'b.txt', '[ab].txt']);
    expect(matching('[a].txt')).toEqual(['a.txt']);
    expect(matching('?.txt')).toEqual(['a.txt', 'b.txt']);
    expect(matching('.*')).toEqual(['.hidden.txt']);
    expect(matching('*')).not.toContain('..');
  });

  it('keeps parentheses, braces, ! and + literal and honours escapes', () => {
    expect(matching('report (1)*')).toEqual(['report (1).txt']);
    expect(matching('{a,b}*')).toEqual(['{a,b}.txt']);
    expect(matching('!*')).toEqual(['!a.txt']);
    expect(matching('a+(b)*')).toEqual(['a+(b).txt']);
    expect(matching('x\\**')).toEqual(['x*y.txt']);
    expect(matching('x\\?*')).toEqual(['x?y.txt']);
    expect(matching('\\[ab]*')).toEqual(['[ab].txt']);
    expect(matching(`${escapeGlob('[ab].txt')}*`)).toEqual(['[ab].txt']);
  });

  it('unescapes plain names only where a \\ precedes a pattern character', () => {
    expect(unescapeGlob('x\\*y.txt')).toBe('x*y.txt');
    expect(unescapeGlob('a\\\\b')).toBe('a\\b');
    expect(unescapeGlob('dos\\path')).toBe('dos\\path');
  });
});

describe('parseRemoteGlobUrl', () => {
  it('splits a URL into the directory to list and the pattern', () => {
    expect(parseRemoteGlobUrl('ftp://u@h:21/dir/sub/*.txt')).toEqual({ dir: '/dir/sub', pattern: '*.txt' });
    expect(parseRemoteGlobUrl('ftp://h/*.txt')).toEqual({ dir: '/', pattern: '*.txt' });
    expect(parseRemoteGlobUrl('ftp://h/my%20dir/*.txt')).toEqual({ dir: '/my dir', pattern: '*.txt' });
  });

  it('reads ? as a pattern character, not the start of a query', () => {
    expect(parseRemoteGlobUrl('ftp://h/dir/a?.txt')).toEqual({ dir: '/dir', pattern: 'a?.txt' });
  });

  it('takes percent-encoded *, ? and [ as literal characters', () => {
    expect(parseRemoteGlobUrl('ftp://h/dir/x%2Ay.txt')).toBeUndefined();
    expect(parseRemoteGlobUrl('ftp://h/dir/x%2A*.txt')).toEqual({ dir: '/dir', pattern: 'x\\**.txt' });
    expect(parseRemoteGlobUrl('ftp://h/dir/%5Bab%5D.txt')).toBeUndefined();
  });

  it('leaves plain URLs alone, also with a directory that looks like a pattern', () => {
    expect(parseRemoteGlobUrl('ftp://h/dir/a.txt')).toBeUndefined();
    expect(parseRemoteGlobUrl('ftp://h/[old]/a.txt')).toBeUndefined();
    expect(parseRemoteGlobUrl('ftp://h')).toBeUndefined();
    expect(parseRemoteGlobUrl('ftp://h/dir/')).toBeUndefined();
  });

  it('refuses a pattern in a directory part', () => {
    expect(() => parseRemoteGlobUrl('ftp://h/*/a*.txt')).toThrow(/last part/);
    expect(parseRemoteGlobUrl('ftp://h/%5Bold%5D/*.txt')).toEqual({ dir: '/[old]', pattern: '*.txt' });
  });
});
