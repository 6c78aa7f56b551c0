import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ListParseError } from './errors.js';
import type { ListEntry } from './list-entry.js';
import { parseList, parseListLine } from './list-parse.js';
import { CAPTURED_AT, fixtureText } from './test-support/chunks.js';

const NAMES = [
  '  two leading spaces',
  '-leading-dash',
  'a dir',
  'future.txt',
  'link to space',
  'old.txt',
  'plain.txt',
  'quote"d.txt',
  'say "hi"',
  "single'quote",
  'trailing space ',
  'with space.txt',
  'ünïcödé-日本.txt',
];

const byName = (entries: ListEntry[]): Map<string, ListEntry> => new Map(entries.map((e) => [e.name, e]));

describe.each(['vsftpd', 'pure-ftpd', 'proftpd'])('parseList on the captured %s LIST', (server) => {
  const entries = parseList(fixtureText(`${server}-list.txt`), CAPTURED_AT, { strict: true });
  const map = byName(entries);

  test('finds every entry with its exact name', () => {
    expect(entries.map((e) => e.name).sort()).toEqual([...NAMES].sort());
  });

  test('types, sizes, permissions, links, symlink target', () => {
    expect(map.get('a dir')).toMatchObject({ type: 'dir', size: 4096, permissions: 'rwxr-xr-x', mode: 0o755, links: 2 });
    expect(map.get('say "hi"')?.type).toBe('dir');
    expect(map.get('with space.txt')).toMatchObject({ type: 'file', size: 1234, mode: 0o644 });
    expect(map.get('-leading-dash')).toMatchObject({ type: 'file', permissions: 'rwsr-xr-x', mode: 0o4755 });
    expect(map.get('quote"d.txt')?.mode).toBe(0o600);
    expect(map.get('link to space')).toMatchObject({ type: 'symlink', target: 'with space.txt', size: 14 });
    expect(map.get('ünïcödé-日本.txt')?.size).toBe(1);
  });

  test('owners: numeric (vsftpd, pure-ftpd) or names (proftpd)', () => {
    const e = map.get('plain.txt');
    expect(e?.owner).toBe(server === 'proftpd' ? 'root' : '0');
    expect(e?.group).toBe(server === 'proftpd' ? 'root' : '0');
  });

  test('dates: year-less within six months, with year when old', () => {
    expect(map.get('plain.txt')?.modified?.toISOString()).toBe('2026-11-20T08:09:00.000Z');
    expect(map.get('old.txt')?.modified?.toISOString()).toBe('2019-03-04T00:00:00.000Z');
    // vsftpd shows the future file with its year; the others show "Jun  1 12:00", which can only be
    // read as the past June (documented ambiguity of the format).
    expect(map.get('future.txt')?.modified?.toISOString()).toBe(
      server === 'vsftpd' ? '2027-06-01T00:00:00.000Z' : '2026-06-01T12:00:00.000Z',
    );
  });

  test('keeps the raw line', () => {
    expect(map.get('old.txt')?.raw).toMatch(/^-rw-r--r-- .* old\.txt$/);
  });
});

describe.each(['vsftpd', 'proftpd'])('parseList on the captured %s LIST of a subdirectory', (server) => {
  test('one file', () => {
    expect(parseList(fixtureText(`${server}-list-dir.txt`), CAPTURED_AT)).toMatchObject([{ name: 'inner.txt', type: 'file', size: 2 }]);
  });
});

describe.each(['pure-ftpd', 'proftpd'])('parseList on the captured %s MLSD', (server) => {
  const entries = parseList(fixtureText(`${server}-mlsd.txt`), CAPTURED_AT, { strict: true });
  const map = byName(entries);

  test('every child, no cdir/pdir', () => {
    expect(entries.map((e) => e.name).sort()).toEqual([...NAMES].sort());
  });

  test('facts become entry fields', () => {
    expect(map.get('with space.txt')).toMatchObject({ type: 'file', size: 1234, mode: 0o644, permissions: 'rw-r--r--' });
    expect(map.get('a dir')?.type).toBe('dir');
    expect(map.get('link to space')?.type).toBe('symlink');
    expect(map.get('-leading-dash')?.permissions).toBe('rwsr-xr-x');
    expect(map.get('future.txt')?.modified?.toISOString()).toBe('2027-06-01T12:00:00.000Z');
    expect(map.get('old.txt')?.modified?.toISOString()).toBe('2019-03-04T05:06:07.000Z');
    expect(map.get('old.txt')?.owner).toBe(server === 'proftpd' ? 'ftp' : '0');
    expect(map.get('old.txt')?.group).toBe(server === 'proftpd' ? 'ftp' : '0');
  });
});

describe('hand-written fixtures', () => {
  const now = new Date('2026-11-25T16:38:00Z');

  test('RFC 3659 §7.7.1 MLSD example', () => {
    const entries = parseList(fixtureText('hand-rfc3659-mlsd.txt'), now, { strict: true });
    expect(entries.map((e) => e.name)).toEqual([
      'capmux.tar.z',
      'hatch.c',
      'MacIP-02.txt',
      'uar.netbsd.patch',
      'iptnnladev.1.0.sit.hqx',
      'melbcs.tif',
      'tardis.1.6.sit.hqx',
      'timelord.1.4.sit.hqx',
    ]);
    expect(entries[1]).toMatchObject({ type: 'file', size: 1830, modified: new Date('1994-09-16T05:56:48Z') });
  });

  test('IIS / DOS listing', () => {
    const entries = parseList(fixtureText('hand-iis-dos-list.txt'), now, { strict: true });
    expect(entries.map(({ raw: _raw, ...e }) => e)).toEqual([
      { name: 'aspnet_client', type: 'dir', size: 0, modified: new Date('2024-01-16T14:15:00Z') },
      { name: 'plain.txt', type: 'file', size: 6, modified: new Date('2026-11-20T08:09:00Z') },
      { name: 'old file.txt', type: 'file', size: 3, modified: new Date('2019-03-04T05:06:00Z') },
      { name: 'y2k edge.log', type: 'file', size: 1234, modified: new Date('1999-12-31T23:59:00Z') },
      { name: 'four digit year', type: 'dir', size: 0, modified: new Date('2000-01-01T00:00:00Z') },
      { name: 'twenty-four hour.txt', type: 'file', size: 42, modified: new Date('2024-06-15T13:45:00Z') },
    ]);
  });

  test('odd unix shapes', () => {
    const text = fixtureText('hand-unix-odd-list.txt');
    expect(() => parseList(text, now, { strict: true })).toThrow(ListParseError);
    const entries = parseList(text, now);
    const map = byName(entries);
    expect(entries).toHaveLength(9);
    expect(map.get('null')).toMatchObject({ type: 'other', size: 0, permissions: 'rw-rw-rw-' });
    expect(map.get('sda')).toMatchObject({ type: 'other', size: 0, group: 'disk', modified: new Date('2024-01-02T00:00:00Z') });
    expect(map.get('with acl.txt')).toMatchObject({ type: 'file', size: 512, owner: 'alice', group: 'staff' });
    expect(map.get('mac xattr')).toMatchObject({ size: 123456, owner: '501', group: '20', modified: new Date('2025-12-01T00:00:00Z') });
    expect(map.get('no group column')).toMatchObject({ size: 77, owner: 'nogroupuser', modified: new Date('2026-10-10T10:10:00Z') });
    expect(map.get('no group column')?.group).toBeUndefined();
    expect(map.get('sticky tmp')).toMatchObject({ type: 'dir', mode: 0o1777 });
    expect(map.get('a fifo')?.type).toBe('other');
    expect(map.get('a socket')?.type).toBe('other');
    expect(map.get('arrow')).toMatchObject({ type: 'symlink', target: 'name -> target' });
    // Feb 29 has no 2026 and no 2025; the nearest earlier leap year is not guessed.
    expect(map.get('lowercase month leap')).toBeUndefined();
  });
});

describe('parseListLine', () => {
  const now = new Date('2026-01-10T12:00:00Z');

  test('year-less dates after now (beyond a day) belong to last year', () => {
    expect(parseListLine('-rw-r--r-- 1 a b 1 Dec 31 23:59 x', now)?.modified?.toISOString()).toBe('2025-12-31T23:59:00.000Z');
    expect(parseListLine('-rw-r--r-- 1 a b 1 Jan 11 10:00 x', now)?.modified?.toISOString()).toBe('2026-01-11T10:00:00.000Z');
    expect(parseListLine('-rw-r--r-- 1 a b 1 Jan 12 10:00 x', now)?.modified?.toISOString()).toBe('2025-01-12T10:00:00.000Z');
    expect(parseListLine('-rw-r--r-- 1 a b 1 Feb 29 10:00 x', new Date('2024-03-01T00:00:00Z'))?.modified?.toISOString()).toBe(
      '2024-02-29T10:00:00.000Z',
    );
  });

  test.each([
    '',
    'total 12',
    'drwxr-xr-x 2 a b 4096 Jan  1 10:00 .',
    'drwxr-xr-x 2 a b 4096 Jan  1 10:00 ..',
    'type=cdir;modify=20240101000000; /x',
    'type=pdir; ..',
    '01-01-24  10:00AM  <DIR>  .',
  ])('skips %j (no child)', (line) => {
    expect(parseListLine(line, now)).toBeUndefined();
    expect(() => parseList(line, now, { strict: true })).not.toThrow();
  });

  test.each([
    'garbage',
    '-rw-r--r-- 1 a b 1 Foo 10 10:00 x',
    '-rw-r--r-- 1 a b 1 Jan 32 2020 x',
    '-rw-r--r-- 1 a b 1 Jan 10 25:00 x',
    '-rw-r--r-- 1 a b 1 Jan 10 10:00 ',
    'type=file;size=x; bad size',
    '13-01-24  10:00AM  12 bad month',
    '01-01-24  13:00PM  12 bad hour',
    '01-01-24  00:00AM  12 zero hour',
    '01-01-24  10:00AM  99999999999999999999 too big',
    '-rw-r--r-- 1 a b 99999999999999999999 Jan 10 10:00 too big',
    'type=file;unix.owner=a b; space in a fact value',
  ])('refuses %j', (line) => {
    expect(parseListLine(line, now)).toBeUndefined();
    let err: unknown;
    try {
      parseList(`${line}\r\n`, now, { strict: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ListParseError);
    expect((err as ListParseError).code).toBe('BAD_LISTING');
  });

  test('MLSD symlink types and other types', () => {
    expect(parseListLine('type=OS.unix=slink:/etc/x;size=6; l', now)).toMatchObject({ type: 'symlink', target: '/etc/x' });
    expect(parseListLine('type=OS.unix=symlink; l', now)).toMatchObject({ type: 'symlink' });
    expect(parseListLine('type=OS.unix=chr-3/1; null', now)).toMatchObject({ type: 'other', size: 0 });
    expect(parseListLine('size=5; untyped', now)).toMatchObject({ type: 'other', size: 5 });
    expect(parseListLine('type=file;unix.owner=7;unix.gid=8; f', now)).toMatchObject({ owner: '7', group: '8' });
  });

  test('12 AM / 12 PM in DOS listings', () => {
    expect(parseListLine('01-01-24  12:30AM  1 a', now)?.modified?.toISOString()).toBe('2024-01-01T00:30:00.000Z');
    expect(parseListLine('01-01-24  12:30PM  1 a', now)?.modified?.toISOString()).toBe('2024-01-01T12:30:00.000Z');
  });

  test('property: never throws on arbitrary text, strict mode throws only ListParseError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        parseList(text, now);
        try {
          parseList(text, now, { strict: true });
        } catch (err) {
          expect(err).toBeInstanceOf(ListParseError);
        }
      }),
    );
  });
});
