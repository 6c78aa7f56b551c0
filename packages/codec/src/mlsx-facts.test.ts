import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FactsError } from './errors.js';
import { type MlsxEntry, formatMlstFeat, formatMlsxLine, parseMlsxLine } from './mlsx-facts.js';
import { fixtureText } from './test-support/chunks.js';

const entry: MlsxEntry = {
  name: 'a b;c=d',
  facts: { type: 'file', size: 3, modify: new Date('2024-01-01T00:00:00Z'), perm: 'r', unique: 'u1', unixMode: 0o644, extra: { 'unix.owner': 'me' } },
};

describe('formatMlsxLine (RFC 3659 §7)', () => {
  test('writes the facts in a fixed order, then a space and the name', () => {
    expect(formatMlsxLine(entry)).toBe('type=file;size=3;modify=20240101000000;perm=r;unique=u1;unix.mode=0644;unix.owner=me; a b;c=d');
    expect(formatMlsxLine({ name: 'x', facts: { unixMode: 0o4755 } })).toBe('unix.mode=04755; x');
    expect(formatMlsxLine({ name: 'x', facts: {} })).toBe(' x');
  });

  test('select limits the facts (OPTS MLST)', () => {
    expect(formatMlsxLine(entry, ['type', 'SIZE', 'unix.owner'])).toBe('type=file;size=3;unix.owner=me; a b;c=d');
    expect(formatMlsxLine(entry, [])).toBe(' a b;c=d');
  });

  test.each<[string, MlsxEntry]>([
    ['a negative size', { name: 'x', facts: { size: -1 } }],
    ['a fractional size', { name: 'x', facts: { size: 1.5 } }],
    ['an invalid date', { name: 'x', facts: { modify: new Date(Number.NaN) } }],
    ['a mode above 0o7777', { name: 'x', facts: { unixMode: 0o10000 } }],
    ['a ";" in a value', { name: 'x', facts: { perm: 'r;w' } }],
    ['a space in a value', { name: 'x', facts: { unique: 'a b' } }],
    ['a bad extra fact name', { name: 'x', facts: { extra: { 'a b': '1' } } }],
  ])('refuses %s', (_, bad) => {
    expect(() => formatMlsxLine(bad)).toThrow(FactsError);
  });
});

describe('formatMlsxLine and unsafe names', () => {
  test.each([
    ['CR', 'a\r230 fake'],
    ['LF', 'a\n226 fake'],
    ['NUL', 'a\0b'],
    ['ESC', 'a\u001b[2J'],
    ['RLO', 'gpj\u202eexe.jpg'],
  ])('writes %s in a name as ?, on one line', (_, name) => {
    const line = formatMlsxLine({ name, facts: { type: 'file', size: 1 } });
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(line).toBe(`type=file;size=1; ${name.replace(/[\u0000-\u001f\u202e]/g, '?')}`);
  });
});

describe('parseMlsxLine', () => {
  test('case-insensitive fact names, raw extras, names with spaces and semicolons', () => {
    expect(parseMlsxLine('Type=DIR;Modify=19981107085215;Perm=el;UNIX.mode=0755;x.myfact=foo,bar; my dir;1')).toEqual({
      name: 'my dir;1',
      facts: { type: 'dir', modify: new Date('1998-11-07T08:52:15Z'), perm: 'el', unixMode: 0o755, extra: { 'x.myfact': 'foo,bar' } },
    });
    expect(parseMlsxLine('type=OS.unix=slink:/x;size=1; l').facts.type).toBe('OS.unix=slink:/x');
    expect(parseMlsxLine('size=1 x\r')).toEqual({ name: 'x', facts: { size: 1 } });
    expect(parseMlsxLine(' /only/name')).toEqual({ name: '/only/name', facts: {} });
  });

  test.each(['nospace', 'type=file; ', 'type; x', '=file; x', 'size=abc; x', 'size=-1; x', 'size=99999999999999999999; x', 'modify=2024; x', 'unix.mode=9; x'])(
    'refuses %j',
    (line) => {
      let err: unknown;
      try {
        parseMlsxLine(line);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FactsError);
      expect((err as FactsError).code).toBe('BAD_FACTS');
    },
  );

  test.each(['pure-ftpd', 'proftpd'])('reads every captured %s MLSD line', (server) => {
    const lines = fixtureText(`${server}-mlsd.txt`).split('\r\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(10);
    const entries = lines.map(parseMlsxLine);
    const byName = new Map(entries.map((e) => [e.name, e.facts]));
    expect(byName.get('with space.txt')).toMatchObject({ type: 'file', size: 1234, unixMode: 0o644 });
    expect(byName.get('-leading-dash')?.unixMode).toBe(0o4755);
    expect(byName.get('  two leading spaces')?.type).toBe('file');
    expect(byName.get('trailing space ')?.type).toBe('file');
    expect(byName.get('say "hi"')?.type).toBe('dir');
    expect(byName.get('ünïcödé-日本.txt')?.size).toBe(1);
    expect(byName.get('old.txt')?.modify?.toISOString()).toBe('2019-03-04T05:06:07.000Z');
    expect(byName.get('.')?.type).toBe('cdir');
    expect(byName.get('link to space')?.type).toMatch(/^OS\.unix=s(ym)?link/);
  });

  test('property: format then parse is the identity', () => {
    const value = fc.string({ maxLength: 8 }).filter((s) => !/[;\s\0]/.test(s));
    const facts = fc.record(
      {
        type: fc.constantFrom('file', 'dir', 'cdir', 'pdir', 'OS.unix=symlink'),
        size: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        modify: fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
        perm: fc.stringMatching(/^[acdeflmprw]{0,5}$/),
        unique: value,
        unixMode: fc.integer({ min: 0, max: 0o7777 }),
        extra: fc.dictionary(fc.stringMatching(/^x\.[a-z]{1,6}$/), value, { maxKeys: 3 }),
      },
      { requiredKeys: [] },
    );
    const name = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/[\r\n\0]/.test(s));
    fc.assert(
      fc.property(name, facts, (n, f) => {
        if (f.extra && Object.keys(f.extra).length === 0) delete f.extra;
        expect(parseMlsxLine(formatMlsxLine({ name: n, facts: f }))).toEqual({ name: n, facts: f });
      }),
    );
  });

  test('property: parse throws only FactsError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (line) => {
        try {
          parseMlsxLine(line);
        } catch (err) {
          expect(err).toBeInstanceOf(FactsError);
        }
      }),
    );
  });
});

describe('formatMlstFeat (RFC 3659 §7.8)', () => {
  test('marks the selected facts with *', () => {
    expect(formatMlstFeat(['type', 'size', 'modify', 'perm', 'unique', 'unix.mode'], ['type', 'SIZE', 'modify'])).toBe(
      'type*;size*;modify*;perm;unique;unix.mode;',
    );
    expect(formatMlstFeat([], [])).toBe('');
  });
});
