import { describe, expect, it } from 'vitest';
import { planMirror } from './mirror-plan.js';
import { planSegments } from './segments.js';
import { parseFtpUrl, redactUrl } from './url.js';
import { unsafeNameReason } from './remote-path.js';
import { parseFeatures, hashAlgorithms } from './features.js';
import { parseMlsdListing, parseListListing, parseMlstReply } from './listing.js';

const t = (s: string) => new Date(s);

describe('planMirror', () => {
  it('transfers missing, resized and retimed files; makes dirs first; deletes extras deepest first', () => {
    const src = [
      { path: 'd', type: 'dir' as const, size: 0 },
      { path: 'd/e', type: 'dir' as const, size: 0 },
      { path: 'd/e/new', type: 'file' as const, size: 1, modified: t('2024-01-01') },
      { path: 'same', type: 'file' as const, size: 5, modified: t('2024-01-01') },
      { path: 'resized', type: 'file' as const, size: 6, modified: t('2024-01-01') },
      { path: 'retimed', type: 'file' as const, size: 5, modified: t('2024-02-01') },
    ];
    const dst = [
      { path: 'same', type: 'file' as const, size: 5, modified: t('2024-01-01T00:00:01Z') },
      { path: 'resized', type: 'file' as const, size: 5, modified: t('2024-01-01') },
      { path: 'retimed', type: 'file' as const, size: 5, modified: t('2024-01-01') },
      { path: 'old', type: 'dir' as const, size: 0 },
      { path: 'old/x', type: 'file' as const, size: 1 },
    ];
    expect(planMirror(src, dst, { delete: true })).toEqual([
      { type: 'mkdir', path: 'd' },
      { type: 'mkdir', path: 'd/e' },
      { type: 'transfer', path: 'd/e/new', size: 1, modified: t('2024-01-01'), reason: 'missing' },
      { type: 'transfer', path: 'resized', size: 6, modified: t('2024-01-01'), reason: 'size' },
      { type: 'transfer', path: 'retimed', size: 5, modified: t('2024-02-01'), reason: 'time' },
      { type: 'delete', path: 'old/x', kind: 'file' },
      { type: 'delete', path: 'old', kind: 'dir' },
    ]);
    expect(planMirror(src, dst).some((a) => a.type === 'delete')).toBe(false);
  });
  it("'newer' only transfers when the source is newer", () => {
    const src = [{ path: 'f', type: 'file' as const, size: 1, modified: t('2024-01-01') }];
    expect(planMirror(src, [{ path: 'f', type: 'file', size: 1, modified: t('2024-06-01') }], { timeRule: 'newer' })).toEqual([]);
    expect(planMirror(src, [{ path: 'f', type: 'file', size: 1, modified: t('2023-06-01') }], { timeRule: 'newer' })).toHaveLength(1);
  });
  it('never deletes what the source skipped (keep), nor anything under it', () => {
    const dst = [
      { path: 'deep', type: 'dir' as const, size: 0 }, { path: 'deep/x', type: 'file' as const, size: 1 },
      { path: 'link', type: 'file' as const, size: 1 }, { path: 'gone', type: 'file' as const, size: 1 },
    ];
    expect(planMirror([], dst, { delete: true, keep: ['deep', 'link'] })).toEqual([{ type: 'delete', path: 'gone', kind: 'file' }]);
  });
});

describe('planSegments', () => {
  it('splits evenly, last takes the rest, small files get fewer', () => {
    expect(planSegments(10, 3, 1)).toEqual([{ index: 0, start: 0, length: 3 }, { index: 1, start: 3, length: 3 }, { index: 2, start: 6, length: 4 }]);
    expect(planSegments(1500, 4, 1000)).toHaveLength(2);
    expect(planSegments(0, 4)).toEqual([]);
  });
});

describe('parseFtpUrl', () => {
  it('reads user, password, port, path, IPv6 and ftps', () => {
    expect(parseFtpUrl('ftp://bob:p%40ss@example.com:2121/a%20b/c')).toEqual({ host: 'example.com', port: 2121, secure: false, user: 'bob', password: 'p@ss', path: '/a b/c' });
    expect(parseFtpUrl('ftps://[::1]/')).toMatchObject({ host: '::1', port: 990, secure: 'implicit' });
    expect(() => parseFtpUrl('http://x/')).toThrow(/unsupported scheme/);
    expect(redactUrl('ftp://bob:secret@h/')).toBe('ftp://bob:***@h/');
  });
});

describe('unsafeNameReason', () => {
  it('refuses names that would leave the directory', () => {
    for (const n of ['..', '.', '', '../x', '/etc/x', 'a/b', 'x\0']) expect(unsafeNameReason(n)).toBeDefined();
    for (const n of ['ok', '..x', 'a b', 'ünï', 'back\\slash']) expect(unsafeNameReason(n)).toBeUndefined();
  });
});

describe('features and listings', () => {
  it('parses FEAT and HASH', () => {
    const f = parseFeatures({ code: 211, lines: ['Features:', ' HASH SHA-1;SHA-256*;MD5', ' MDTM', 'End'], text: '' });
    expect(hashAlgorithms(f)).toEqual(['SHA-256', 'SHA-1', 'MD5']);
    expect(f.has('MDTM')).toBe(true);
  });
  it('parses MLSD (dropping cdir/pdir), LIST and MLST replies', () => {
    const m = parseMlsdListing('type=cdir; .\r\ntype=pdir; ..\r\ntype=file;size=12;modify=20240102030405; a b.txt\r\ntype=dir;modify=20240101000000; sub\r\ngarbage\r\n');
    expect(m).toEqual([
      { name: 'a b.txt', type: 'file', size: 12, modified: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) },
      { name: 'sub', type: 'dir', size: 0, modified: new Date(Date.UTC(2024, 0, 1)) },
    ]);
    const l = parseListListing('total 1\r\ndrwxr-xr-x 2 u g 4096 Jan 01  2024 dir\r\n-rw-r--r-- 1 u g 3 Jan 01  2024 f x\r\n', new Date('2024-06-01'));
    expect(l.map((e) => [e.name, e.type, e.size])).toEqual([['dir', 'dir', 4096], ['f x', 'file', 3]]);
    expect(parseMlstReply(['Listing f', ' type=file;size=3; /f', 'End'])).toMatchObject({ type: 'file', size: 3 });
  });
});
