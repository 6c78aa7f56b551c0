import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ListEntry } from './list-entry.js';
import { formatList, formatListLine, formatNlstLine } from './list-format.js';
import { parseList, parseListLine } from './list-parse.js';

const now = new Date('2026-11-25T16:00:00Z');

describe('formatListLine', () => {
  test('recent files show the time, old and future ones the year', () => {
    const base = { name: 'a b', type: 'file', size: 12 } as const;
    expect(formatListLine({ ...base, modified: new Date('2026-10-01T10:05:00Z') }, now)).toBe(
      '-rw-r--r--    1 ftp      ftp                12 Oct  1 10:05 a b',
    );
    expect(formatListLine({ ...base, modified: new Date('2020-02-29T10:05:00Z') }, now)).toBe(
      '-rw-r--r--    1 ftp      ftp                12 Feb 29  2020 a b',
    );
    expect(formatListLine({ ...base, modified: new Date('2026-11-25T16:00:01Z') }, now)).toMatch(/ Nov 25  2026 a b$/);
    expect(formatListLine(base, now)).toMatch(/ Jan  1  1970 a b$/);
    expect(formatListLine({ ...base, modified: new Date(Number.NaN) }, now)).toMatch(/ Jan  1  1970 a b$/);
  });

  test('type letters, permissions from text, octal text or mode, owners, links, symlink targets', () => {
    const m = new Date('2026-11-01T00:00:00Z');
    expect(formatListLine({ name: 'd', type: 'dir', size: 4096, modified: m, links: 3, owner: 'alice', group: 'staff' }, now)).toBe(
      'drwxr-xr-x    3 alice    staff            4096 Nov  1 00:00 d',
    );
    expect(formatListLine({ name: 'l', type: 'symlink', size: 1, modified: m, target: 'x y' }, now)).toMatch(/^lrwxrwxrwx .* l -> x y$/);
    expect(formatListLine({ name: 'l', type: 'symlink', size: 1, modified: m }, now)).toMatch(/ l$/);
    expect(formatListLine({ name: 'f', type: 'file', size: 1, modified: m, permissions: 'rwsr-x--T' }, now)).toMatch(/^-rwsr-x--T /);
    expect(formatListLine({ name: 'f', type: 'file', size: 1, modified: m, permissions: '0750' }, now)).toMatch(/^-rwxr-x--- /);
    expect(formatListLine({ name: 'f', type: 'file', size: 1, modified: m, permissions: 'bogus', mode: 0o6711 }, now)).toMatch(/^-rws--s--x /);
    expect(formatListLine({ name: 'f', type: 'file', size: 1, modified: m, permissions: 'bogus' }, now)).toMatch(/^-rw-r--r-- /);
    expect(formatListLine({ name: 's', type: 'other', size: 0, modified: m, mode: 0o140755 }, now)).toMatch(/^srwxr-xr-x /);
    expect(formatListLine({ name: 'b', type: 'other', size: 0, modified: m, mode: 0o060660 }, now)).toMatch(/^brw-rw---- /);
    expect(formatListLine({ name: 'c', type: 'other', size: 0, modified: m, mode: 0o020666 }, now)).toMatch(/^crw-rw-rw- /);
    expect(formatListLine({ name: 'p', type: 'other', size: 0, modified: m }, now)).toMatch(/^prw-r--r-- /);
  });

  test('formatList ends every line with CRLF', () => {
    const m = new Date('2026-11-01T00:00:00Z');
    expect(formatList([], now)).toBe('');
    expect(formatList([{ name: 'a', type: 'file', size: 1, modified: m }, { name: 'b', type: 'dir', size: 0, modified: m }], now).split('\r\n')).toHaveLength(3);
  });

  test('property: format then parse gives the entry back (dates to the minute)', () => {
    const name = fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((s) => !/[\r\n]/.test(s) && !s.includes(' -> ') && s !== '.' && s !== '..');
    const entryArb = fc.record({
      name,
      type: fc.constantFrom('file', 'dir', 'symlink') as fc.Arbitrary<ListEntry['type']>,
      size: fc.nat({ max: 2 ** 40 }),
      modified: fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:00Z'), noInvalidDate: true }),
      mode: fc.integer({ min: 0, max: 0o7777 }),
      owner: fc.stringMatching(/^[a-z0-9_]{1,10}$/),
      group: fc.stringMatching(/^[a-z0-9_]{1,10}$/),
      links: fc.integer({ min: 1, max: 9999 }),
      target: fc.string({ minLength: 1, maxLength: 10 }).filter((s) => !/[\r\n]/.test(s)),
      now: fc.date({ min: new Date('1980-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:00Z'), noInvalidDate: true }),
    });
    fc.assert(
      fc.property(entryArb, ({ now: at, target, ...e }) => {
        const entry: ListEntry = e.type === 'symlink' ? { ...e, target } : e;
        const line = formatListLine(entry, at);
        const back = parseListLine(line, at);
        const minute = new Date(Math.floor(e.modified.getTime() / 60_000) * 60_000);
        const recent = at.getTime() - e.modified.getTime() >= 0 && line.match(/ \d\d:\d\d /);
        const day = new Date(Date.UTC(e.modified.getUTCFullYear(), e.modified.getUTCMonth(), e.modified.getUTCDate()));
        day.setUTCFullYear(e.modified.getUTCFullYear());
        expect(back).toEqual({ ...entry, modified: recent ? minute : day, raw: line, permissions: line.slice(1, 10) });
      }),
    );
  });

  test('formatList output parses back to the same count', () => {
    const m = new Date('2026-11-01T00:00:00Z');
    const entries: ListEntry[] = [
      { name: '  lead', type: 'file', size: 1, modified: m },
      { name: '-dash', type: 'file', size: 2, modified: m },
      { name: 'trail ', type: 'dir', size: 3, modified: m },
    ];
    expect(parseList(formatList(entries, now), now).map((e) => e.name)).toEqual(['  lead', '-dash', 'trail ']);
  });
});

describe('unsafe names in listings', () => {
  const m = new Date('2026-10-01T10:05:00Z');
  test.each([
    ['CR', 'a\r230 fake'],
    ['LF', 'a\n226 fake'],
    ['ESC', 'x\u001b]0;title\u0007'],
    ['C1', 'x\u009b2J'],
    ['RLO', 'gpj\u202eexe.jpg'],
  ])('LIST and NLST write %s as ?, and the listing keeps one line per entry', (_, name) => {
    const entries: ListEntry[] = [
      { name, type: 'file', size: 1, modified: m },
      { name: 'link', type: 'symlink', size: 1, modified: m, target: name },
    ];
    const text = formatList(entries, now);
    expect(text.split('\r\n')).toHaveLength(3);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u202e]|\r(?!\n)|(?<!\r)\n/);
    expect(formatListLine(entries[0] as ListEntry, now).endsWith(name.replace(/[\u0000-\u001f\u009b\u202e]/g, '?'))).toBe(true);
    expect(formatNlstLine(name)).toBe(name.replace(/[\u0000-\u001f\u009b\u202e]/g, '?'));
  });
});
