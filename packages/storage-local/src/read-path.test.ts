import { spawnSync } from 'node:child_process';
import { constants, mkdtempSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectText, expectStorageError } from '@ftpkit/storage/testing';
import type { FsPromisesApi } from './fs-api.js';
import { fsStorage } from './fs-storage.js';
import { procOpenedPath } from './local-storage.js';

/** node:fs/promises with every call counted by name, and a hook run just before each open. */
function countingFs(beforeOpen: (p: string) => Promise<void> = async () => undefined): { fs: FsPromisesApi; calls: string[] } {
  const calls: string[] = [];
  const real = fsp as unknown as FsPromisesApi;
  const fs = new Proxy(real, {
    get(target, name: string) {
      const fn = Reflect.get(target, name) as unknown;
      if (typeof fn !== 'function') return fn;
      return async (...args: unknown[]) => {
        calls.push(name);
        if (name === 'open') await beforeOpen(args[0] as string);
        return (fn as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { fs, calls };
}

/** Descriptors of this process open on something below `dir` (closes are not awaited: waits a little). */
async function fdsUnder(dir: string): Promise<number> {
  let n = 0;
  for (let round = 0; round < 50; round++) {
    n = 0;
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++;
      } catch {
        // Closed while we looked.
      }
    }
    if (n === 0) return 0;
    await new Promise((r) => setTimeout(r, 20));
  }
  return n;
}

// Issue 18: the path from RETR to 226 as short as the floor's, and containment as strict.
describe('localStorage read path', () => {
  let base: string;
  let root: string;
  beforeEach(async () => {
    base = realpathSync(mkdtempSync(path.join(tmpdir(), 'ftpkit-read-path-')));
    root = path.join(base, 'root');
    await fsp.mkdir(path.join(root, 'sub'), { recursive: true });
    await fsp.writeFile(path.join(root, 'sub', 'f.txt'), 'inside');
    await fsp.mkdir(path.join(base, 'out'));
    await fsp.writeFile(path.join(base, 'out', 'f.txt'), 'SECRET outside the root');
  });
  afterEach(async () => {
    await fsp.rm(base, { recursive: true, force: true });
  });

  it('a small file inside the root: no path resolution before the open, one read into a buffer of its size', async () => {
    await fsp.writeFile(path.join(root, 'small.bin'), Buffer.alloc(4096, 7));
    const { fs, calls } = countingFs();
    const s = fsStorage({ fs, constants, path, root, openedPath: procOpenedPath });
    await s.stat('/sub');
    calls.length = 0;
    const chunks: Uint8Array[] = [];
    for await (const c of s.read('/small.bin')) chunks.push(c);
    expect(chunks.map((c) => c.length)).toEqual([4096]);
    // The buffer is the file's size plus the byte that tells the end, not a 64 KiB chunk.
    expect(chunks[0]?.buffer.byteLength).toBeLessThanOrEqual(4097);
    expect(calls).toEqual(['open']);
  });

  it('openRead of a small file: one open, its facts from the opened file, one read of its size', async () => {
    await fsp.writeFile(path.join(root, 'small.bin'), Buffer.alloc(4096, 7));
    const { fs, calls } = countingFs();
    const s = fsStorage({ fs, constants, path, root, openedPath: procOpenedPath });
    await s.stat('/sub');
    calls.length = 0;
    const opened = await s.openRead?.('/small.bin');
    expect(opened?.stat).toMatchObject({ path: '/small.bin', type: 'file', size: 4096 });
    const chunks: Uint8Array[] = [];
    for await (const c of opened?.chunks ?? []) chunks.push(c);
    expect(chunks.map((c) => c.length)).toEqual([4096]);
    expect(calls).toEqual(['open']);
  });

  for (const via of ['read', 'openRead'] as const) {
    it(`${via}: a directory swapped for a link to outside just before the open is refused, nothing stays open`, async () => {
      let swapped = false;
      const { fs } = countingFs(async (p) => {
        if (swapped || !p.endsWith(`${path.sep}f.txt`)) return;
        swapped = true;
        await fsp.rename(path.join(root, 'sub'), path.join(root, 'sub-old'));
        await fsp.symlink(path.join(base, 'out'), path.join(root, 'sub'));
      });
      const s = fsStorage({ fs, constants, path, root, openedPath: procOpenedPath });
      const opened = via === 'read' ? collectText(s.read('/sub/f.txt')) : (s.openRead?.('/sub/f.txt') ?? Promise.resolve());
      await expectStorageError(opened, 'EACCES');
      expect(swapped).toBe(true);
      expect(await fdsUnder(base)).toBe(0);
    });
  }

  it('openRead follows links inside the root and refuses one that leads out, or a FIFO', async () => {
    await fsp.symlink('sub/f.txt', path.join(root, 'f-link'));
    await fsp.symlink(path.join(base, 'out', 'f.txt'), path.join(root, 'out-link'));
    const fifo = spawnSync('mkfifo', [path.join(root, 'pipe')]);
    expect(fifo.status).toBe(0);
    const s = fsStorage({ fs: fsp as unknown as FsPromisesApi, constants, path, root, openedPath: procOpenedPath });
    const inside = await s.openRead?.('/f-link');
    if (inside === undefined) throw new Error('no openRead');
    expect(inside.stat.size).toBe('inside'.length);
    expect(await collectText(inside.chunks)).toBe('inside');
    await expectStorageError(s.openRead?.('/out-link') ?? Promise.resolve(), 'EACCES');
    await expectStorageError(s.openRead?.('/pipe') ?? Promise.resolve(), 'EACCES');
    expect(await fdsUnder(base)).toBe(0);
  });

  it('links inside the root are still followed, a last-component link included', async () => {
    await fsp.symlink('sub', path.join(root, 'alias'));
    await fsp.symlink('sub/f.txt', path.join(root, 'f-link'));
    const s = fsStorage({ fs: fsp as unknown as FsPromisesApi, constants, path, root, openedPath: procOpenedPath });
    expect(await collectText(s.read('/alias/f.txt'))).toBe('inside');
    expect(await collectText(s.read('/f-link'))).toBe('inside');
    await fsp.symlink(path.join(base, 'out', 'f.txt'), path.join(root, 'out-link'));
    await expectStorageError(collectText(s.read('/out-link')), 'EACCES');
  });
});
