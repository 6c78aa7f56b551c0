import { existsSync, mkdtempSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chunksOf,
  collectText,
  describePathEscapes,
  describeStorageAdapter,
  expectStorageError,
  mib,
} from '@ftpkit/storage/testing';
import { capabilitiesOf } from '@ftpkit/storage';
import { localStorage, processUmask } from './local-storage.js';
import { UPLOAD_TEMP_PREFIX } from './fs-storage.js';

/** File descriptors of this process that point below `dir`. */
function handlesUnder(dir: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++;
    } catch {
      // The fd closed while we looked.
    }
  }
  return n;
}

function tempRoot(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'ftpkit-local-')));
}

describeStorageAdapter(
  'localStorage',
  () => {
    const dir = tempRoot();
    return {
      adapter: localStorage({ root: dir }),
      // Linux shows open descriptors in /proc; elsewhere the suite checks only that the read stops.
      ...(existsSync('/proc/self/fd') ? { openHandles: () => handlesUnder(dir) } : {}),
      cleanup: () => fsp.rm(dir, { recursive: true, force: true }),
    };
  },
  {
    capabilities: { setMtime: true, chmod: true, dispose: false },
    openRead: true,
    reportsMode: true,
    memoryMetric: 'rss',
    onMemoryReport: (r) =>
      console.log(
        `[memory] ${r.adapter}: ${mib(r.fileBytes)} file, RSS growth write ${mib(r.writePeakBytes)}, read ${mib(r.readPeakBytes)}`,
      ),
  },
);

describePathEscapes('localStorage', async () => {
  const base = tempRoot();
  const root = join(base, 'root');
  await fsp.mkdir(root);
  await fsp.mkdir(join(root, 'sub'));
  const secret = 'TOP SECRET outside the root';
  await fsp.writeFile(join(base, 'secret.txt'), secret);
  await fsp.symlink('../secret.txt', join(root, 'link-out'));
  await fsp.symlink('..', join(root, 'link-dir-out'));
  await fsp.symlink(base, join(root, 'link-abs'));
  await fsp.symlink('../..', join(root, 'sub', 'link-up'));
  const outside = async (): Promise<string> => {
    const lines: string[] = [];
    for (const name of (await fsp.readdir(base)).sort()) {
      if (name === 'root') continue;
      const p = join(base, name);
      const st = await fsp.lstat(p);
      const content = st.isFile() ? await fsp.readFile(p, 'utf8') : '';
      lines.push(`${name} ${st.mode} ${st.size} ${st.mtimeMs} ${content}`);
    }
    return lines.join('\n');
  };
  return {
    adapter: localStorage({ root }),
    secret,
    outside,
    cleanup: () => fsp.rm(base, { recursive: true, force: true }),
  };
});

describe('localStorage specifics', () => {
  let base: string;
  let root: string;
  beforeEach(async () => {
    base = tempRoot();
    root = join(base, 'root');
    await fsp.mkdir(root);
    await fsp.writeFile(join(base, 'secret.txt'), 'secret');
  });
  afterEach(async () => {
    await fsp.rm(base, { recursive: true, force: true });
  });

  it('reports the Unix permission bits as mode', async () => {
    await fsp.writeFile(join(root, 'f'), 'x');
    await fsp.chmod(join(root, 'f'), 0o604);
    expect((await localStorage({ root }).stat('/f')).mode).toBe(0o604);
  });

  it('chmod never grants more than chmodMask allows (default: the process umask)', async () => {
    await fsp.writeFile(join(root, 'f'), 'x');
    await localStorage({ root }).chmod?.('/f', 0o777);
    expect((await fsp.stat(join(root, 'f'))).mode & 0o7777).toBe(0o777 & ~processUmask());
    await localStorage({ root, chmodMask: 0o077 }).chmod?.('/f', 0o777);
    expect((await fsp.stat(join(root, 'f'))).mode & 0o7777).toBe(0o700);
    await localStorage({ root, chmodMask: 0 }).chmod?.('/f', 0o775);
    expect((await fsp.stat(join(root, 'f'))).mode & 0o7777).toBe(0o775);
    expect(() => localStorage({ root, chmodMask: 0o4000 })).toThrow(RangeError);
  });

  it('processUmask reads the umask the process creates files with', async () => {
    await fsp.writeFile(join(root, 'new'), 'x', { mode: 0o666 });
    expect((await fsp.stat(join(root, 'new'))).mode & 0o777).toBe(0o666 & ~processUmask());
  });

  it('read-only mode refuses every change with EACCES and still reads', async () => {
    await fsp.writeFile(join(root, 'f'), 'x');
    await fsp.mkdir(join(root, 'd'));
    const s = localStorage({ root, readOnly: true });
    expect(await collectText(s.read('/f'))).toBe('x');
    await expectStorageError(s.write('/f', chunksOf('y')), 'EACCES');
    await expectStorageError(s.write('/new', chunksOf('y'), { uploadMode: 'atomic' }), 'EACCES');
    await expectStorageError(s.mkdir('/n'), 'EACCES');
    await expectStorageError(s.rmdir('/d'), 'EACCES');
    await expectStorageError(s.delete('/f'), 'EACCES');
    await expectStorageError(s.rename('/f', '/g'), 'EACCES');
    await expectStorageError(s.setMtime?.('/f', new Date(0)) ?? Promise.resolve(), 'EACCES');
    await expectStorageError(s.chmod?.('/f', 0o600) ?? Promise.resolve(), 'EACCES');
    expect(await fsp.readFile(join(root, 'f'), 'utf8')).toBe('x');
    expect(capabilitiesOf(s)).toEqual({ setMtime: true, chmod: true, dispose: false });
  });

  it('follows symlinks that stay inside the root', async () => {
    await fsp.mkdir(join(root, 'real'));
    await fsp.writeFile(join(root, 'real', 'f.txt'), 'inside');
    await fsp.symlink('real', join(root, 'alias'));
    await fsp.symlink('real/f.txt', join(root, 'f-link'));
    const s = localStorage({ root });
    expect(await collectText(s.read('/alias/f.txt'))).toBe('inside');
    expect(await collectText(s.read('/f-link'))).toBe('inside');
    expect((await s.stat('/alias')).type).toBe('dir');
    await s.write('/f-link', chunksOf('changed'), { uploadMode: 'atomic' });
    expect(await fsp.readFile(join(root, 'real', 'f.txt'), 'utf8')).toBe('changed');
    expect((await fsp.lstat(join(root, 'f-link'))).isSymbolicLink()).toBe(true);
  });

  it('refuses links leading outside with EACCES, and lists them without facts', async () => {
    await fsp.symlink('../secret.txt', join(root, 'out'));
    await fsp.symlink(base, join(root, 'out-dir'));
    await fsp.symlink('../nowhere', join(root, 'dangling'));
    const s = localStorage({ root });
    await expectStorageError(s.stat('/out'), 'EACCES');
    await expectStorageError(collectText(s.read('/out')), 'EACCES');
    await expectStorageError(s.write('/out', chunksOf('x')), 'EACCES');
    await expectStorageError(s.write('/dangling', chunksOf('x')), 'EACCES');
    await expectStorageError(s.write('/out-dir/secret.txt', chunksOf('x')), 'EACCES');
    await expectStorageError(s.stat('/out-dir/secret.txt'), 'EACCES');
    await expectStorageError(s.stat('/out-dir/not-there'), 'EACCES');
    await expectStorageError(s.mkdir('/out-dir/x'), 'EACCES');
    await expectStorageError(s.chmod?.('/out', 0o777) ?? Promise.resolve(), 'EACCES');
    const listed: Record<string, string> = {};
    for await (const e of s.list('/')) listed[e.name] = `${e.type}:${e.size}`;
    expect(listed).toEqual({ out: 'symlink:0', 'out-dir': 'symlink:0', dangling: 'symlink:0' });
    await expect(fsp.access(join(base, 'nowhere'))).rejects.toThrow();
    expect(await fsp.readFile(join(base, 'secret.txt'), 'utf8')).toBe('secret');
    // Deleting the link removes the link only.
    await s.delete('/out');
    expect(await fsp.readFile(join(base, 'secret.txt'), 'utf8')).toBe('secret');
  });

  it('a path component swapped for an outside link after the check is not followed (O_NOFOLLOW)', async () => {
    // The last component: open() with O_NOFOLLOW refuses a link that appears after realpath.
    await fsp.writeFile(join(root, 'f'), 'x');
    const s = localStorage({ root });
    const reading = s.read('/f')[Symbol.asyncIterator]();
    await fsp.rm(join(root, 'f'));
    await fsp.symlink('../secret.txt', join(root, 'f'));
    const r: IteratorResult<Uint8Array> | Error = await reading.next().catch((err: Error) => err);
    // Either the swap happened before the open (refused) or after (the old inode is read).
    if (r instanceof Error) expect(r).toMatchObject({ code: expect.stringMatching(/EACCES|ENOENT/) });
    else if (r.done !== true) expect(Buffer.from(r.value).toString()).not.toBe('secret');
  });

  it('atomic uploads use a hidden temp name in the same directory and keep the old mode', async () => {
    await fsp.mkdir(join(root, 'd'));
    await fsp.writeFile(join(root, 'd', 'f'), 'old');
    await fsp.chmod(join(root, 'd', 'f'), 0o600);
    const s = localStorage({ root });
    let seen: string[] = [];
    async function* source(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('new');
      seen = await fsp.readdir(join(root, 'd'));
    }
    await s.write('/d/f', source(), { uploadMode: 'atomic' });
    expect(seen.some((n) => n.startsWith(UPLOAD_TEMP_PREFIX))).toBe(true);
    await expectStorageError(s.stat(`/d/${UPLOAD_TEMP_PREFIX}x`), 'EACCES');
    await expectStorageError(s.write(`/d/${UPLOAD_TEMP_PREFIX}x`, chunksOf('x')), 'EACCES');
    expect(await fsp.readdir(join(root, 'd'))).toEqual(['f']);
    expect((await fsp.stat(join(root, 'd', 'f'))).mode & 0o777).toBe(0o600);
    expect(await fsp.readFile(join(root, 'd', 'f'), 'utf8')).toBe('new');
  });

  it('refuses FIFOs instead of blocking on them', async () => {
    const { execFileSync } = await import('node:child_process');
    try {
      execFileSync('mkfifo', [join(root, 'pipe')]);
    } catch {
      if (process.env.CI) throw new Error('mkfifo (coreutils) is missing; pnpm test:setup installs the test tools');
      return;
    }
    const s = localStorage({ root });
    await expectStorageError(collectText(s.read('/pipe')), 'EACCES');
    await expectStorageError(s.write('/pipe', chunksOf('x')), 'EACCES');
  });

  it('sweepTemporary removes leftover temp files in every directory, not followed links, not ones still being written', async () => {
    await fsp.mkdir(join(root, 'sub'));
    await fsp.writeFile(join(root, `${UPLOAD_TEMP_PREFIX}aa`), 'x'.repeat(10));
    await fsp.writeFile(join(root, 'sub', `${UPLOAD_TEMP_PREFIX}bb`), 'y'.repeat(5));
    await fsp.writeFile(join(root, 'sub', 'keep.txt'), 'keep');
    // Modified after the sweep began: an upload running now.
    const running = join(root, `${UPLOAD_TEMP_PREFIX}cc`);
    await fsp.writeFile(running, 'z');
    const later = new Date(Date.now() + 60_000);
    await fsp.utimes(running, later, later);
    // A link to a directory outside the root holding a temp-looking file: never followed.
    await fsp.mkdir(join(base, 'outside'));
    await fsp.writeFile(join(base, 'outside', `${UPLOAD_TEMP_PREFIX}dd`), 'o');
    await fsp.symlink(join(base, 'outside'), join(root, 'out'));
    const s = localStorage({ root });
    expect(await s.sweepTemporary?.()).toEqual({ removed: 2, bytes: 15, failed: 0, complete: true });
    expect((await fsp.readdir(root)).sort()).toEqual([`${UPLOAD_TEMP_PREFIX}cc`, 'out', 'sub']);
    expect(await fsp.readdir(join(root, 'sub'))).toEqual(['keep.txt']);
    expect(existsSync(join(base, 'outside', `${UPLOAD_TEMP_PREFIX}dd`))).toBe(true);
    const stopped = new AbortController();
    stopped.abort();
    expect((await s.sweepTemporary?.({ signal: stopped.signal }))?.complete).toBe(false);
    expect(await localStorage({ root, readOnly: true }).sweepTemporary?.()).toEqual({ removed: 0, bytes: 0, failed: 0, complete: true });
  });

  it('a missing root is ENOENT on use, not at construction', async () => {
    const s = localStorage({ root: join(base, 'missing') });
    await expectStorageError(s.stat('/'), 'ENOENT');
  });
});
