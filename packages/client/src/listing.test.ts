import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseListListing, parseMlsdListing } from './listing.js';

// Captured from the real servers (curl LIST / MLSD of one directory); see __fixtures__.
const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8');
const now = new Date('2026-11-25T18:00:00Z');

const expected = [
  ['link', 'symlink'],
  ['old.tar', 'file', 4096, '2019-03-04'],
  ['plain.txt', 'file', 5, '2026-11-20'],
  ['sub dir', 'dir'],
  ['with  two spaces.bin', 'file', 1234],
  ['ünïcödé.txt', 'file', 1],
] as const;

function check(entries: ReturnType<typeof parseListListing>, linkType = 'symlink'): void {
  const byName = new Map(entries.map((e) => [e.name, e]));
  expect([...byName.keys()].sort()).toEqual(expected.map((e) => e[0]).sort());
  for (const [name, type, size, day] of expected) {
    const e = byName.get(name);
    expect(e?.type, name).toBe(name === 'link' ? linkType : type);
    if (size !== undefined) expect(e?.size, name).toBe(size);
    if (day !== undefined) expect(e?.modified?.toISOString().slice(0, 10), name).toBe(day);
  }
}

describe('listings captured from real servers', () => {
  it.each(['vsftpd-list.txt', 'pure-ftpd-list.txt', 'pyftpdlib-list.txt'])('LIST: %s', (f) => {
    const entries = parseListListing(fixture(f), now);
    check(entries);
    expect(entries.find((e) => e.name === 'link')?.target).toBe('plain.txt');
  });

  // pure-ftpd writes `sizd=` for directories and `OS.unix=slink:` for links; pyftpdlib follows links.
  it.each([['pure-ftpd-mlsd.txt', 'symlink'], ['pyftpdlib-mlsd.txt', 'file']])('MLSD: %s (cdir/pdir dropped, exact times)', (f, linkType) => {
    const entries = parseMlsdListing(fixture(f));
    check(entries, linkType);
    expect(entries.find((e) => e.name === 'plain.txt')?.modified?.toISOString()).toBe('2026-11-20T10:20:00.000Z');
  });
});

// What ListEntry.permissions documents: it depends on the listing format (see list-entry.ts in @ftpkit/codec).
describe('permissions per listing format', () => {
  it('LIST: the nine rwx characters as sent, and mode', () => {
    const byName = new Map(parseListListing(fixture('vsftpd-list.txt'), now).map((e) => [e.name, e]));
    expect(byName.get('plain.txt')).toMatchObject({ permissions: 'rw-r--r--', mode: 0o644 });
    expect(byName.get('sub dir')).toMatchObject({ permissions: 'rwxr-xr-x', mode: 0o755 });
  });

  it('MLSD: the RFC 3659 perm fact as sent (not rwx), mode only from UNIX.mode', () => {
    const py = new Map(parseMlsdListing(fixture('pyftpdlib-mlsd.txt')).map((e) => [e.name, e]));
    expect(py.get('plain.txt')?.permissions).toBe('radfwMT');
    expect(py.get('sub dir')?.permissions).toBe('eldfmMTcp');
    expect(py.get('plain.txt')?.mode).toBeUndefined();
    const pure = new Map(parseMlsdListing(fixture('pure-ftpd-mlsd.txt')).map((e) => [e.name, e]));
    expect(pure.get('plain.txt')).toMatchObject({ mode: 0o644 });
    expect(pure.get('plain.txt')?.permissions).toBeUndefined();
  });
});
