import type { ListEntry } from '@ftpkit/client';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandLocal, selectMatches } from './glob-transfers.js';
import { NoMatchError } from './globs.js';

const file = (name: string): ListEntry => ({ name, type: 'file', size: 1 });

describe('selectMatches: a hostile listing cannot make a pattern write outside the local directory', () => {
  it('skips names with a slash, NUL or dot segments, and never selects directories', () => {
    const entries = [
      file('good.txt'), file('../evil.txt'), file('/tmp/evil.txt'), file('a/b.txt'), file('x\0y.txt'), file('..'), file('.'),
      { name: 'dir.txt', type: 'dir', size: 0 } satisfies ListEntry, { name: 'link.txt', type: 'symlink', size: 0 } satisfies ListEntry,
    ];
    for (const pattern of ['*', '*.txt', '*evil*', '.*', '[./]*', '?*', '..?evil.txt']) {
      const s = selectMatches(entries, pattern);
      for (const n of s.names) expect(['good.txt', 'link.txt'], `${pattern} selected ${n}`).toContain(n);
    }
    const all = selectMatches(entries, '*.txt');
    expect(all.names).toEqual(['good.txt', 'link.txt']);
    expect(all.dirs).toBe(1);
    expect(all.skipped.map((s) => s.name)).toEqual(['x\0y.txt']);
  });
});

describe('expandLocal', () => {
  it('expands a pattern to the sorted files, keeps a plain name, and refuses a pattern that matches nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftpkit-expand-'));
    try {
      await mkdir(join(dir, 'd.log'));
      for (const n of ['b.log', 'a.log', '.h.log', 'report (1).log', 'x*y.log']) await writeFile(join(dir, n), n);
      expect(await expandLocal(join(dir, '*.log'))).toEqual(['a.log', 'b.log', 'report (1).log', 'x*y.log'].map((n) => join(dir, n)));
      expect(await expandLocal(join(dir, 'report (1)*'))).toEqual([join(dir, 'report (1).log')]);
      expect(await expandLocal(join(dir, 'x\\*y.log'))).toEqual([join(dir, 'x*y.log')]);
      await expect(expandLocal(join(dir, '*.zip'))).rejects.toBeInstanceOf(NoMatchError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
