// mountStorage lives in @ftpkit/storage, which cannot depend on an adapter without a cycle; it is
// tested here over real memory adapters.
import { describe, expect, it } from 'vitest';
import { capabilitiesOf, lockKeyOf, mountStorage, type StorageAdapter } from '@ftpkit/storage';
import { chunksOf, collectText, describeStorageAdapter, expectStorageError } from '@ftpkit/storage/testing';
import { Volume } from 'memfs';
import { memoryStorage } from './memory-storage.js';

async function names(s: StorageAdapter, dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of s.list(dir)) out.push(`${e.path}:${e.type}`);
  return out.sort();
}

/** An adapter without the optional members, to test capability routing. */
function bare(s: StorageAdapter): StorageAdapter {
  return {
    stat: (p) => s.stat(p),
    list: (p, o) => s.list(p, o),
    read: (p, o) => s.read(p, o),
    write: (p, d, o) => s.write(p, d, o),
    mkdir: (p) => s.mkdir(p),
    rmdir: (p) => s.rmdir(p),
    delete: (p) => s.delete(p),
    rename: (a, b) => s.rename(a, b),
  };
}

// A mount table with only `/` must behave exactly like the adapter it wraps.
describeStorageAdapter('mountStorage({ "/": memoryStorage() })', () => mountStorage({ '/': memoryStorage() }), {
  capabilities: { setMtime: true, chmod: true, dispose: true },
  openRead: true,
  reportsMode: true,
  memoryMetric: 'heap',
  heapGrowthFactor: 2,
  bigFileBytes: 32 << 20,
  bigDirEntries: 2000,
});

describe('mountStorage', () => {
  const setup = () => {
    const main = memoryStorage({ files: { '/readme.txt': 'root', '/archive/shadowed.txt': 'hidden' } });
    const archive = memoryStorage({ files: { '/2024/a.txt': 'old a' } });
    const deep = memoryStorage({ files: { '/d.txt': 'deep' } });
    const s = mountStorage({ '/': main, '/archive/': archive, '/x/y/z': deep });
    return { main, archive, deep, s };
  };

  it('routes by longest prefix and shows mount points as directories', async () => {
    const { s, archive } = setup();
    expect(await names(s, '/')).toEqual(['/archive:dir', '/readme.txt:file', '/x:dir']);
    expect(await names(s, '/archive')).toEqual(['/archive/2024:dir']);
    expect(await collectText(s.read('/archive/2024/a.txt'))).toBe('old a');
    expect(await s.stat('/archive/2024/a.txt')).toMatchObject({ path: '/archive/2024/a.txt', name: 'a.txt' });
    expect(await s.stat('/archive')).toMatchObject({ path: '/archive', name: 'archive', type: 'dir' });
    await s.write('/archive/new.txt', chunksOf('n'));
    expect(await collectText(archive.read('/new.txt'))).toBe('n');
    await expectStorageError(s.stat('/archive2'), 'ENOENT');
  });

  it('directories that only lead to a mount exist as virtual directories', async () => {
    const { s } = setup();
    expect(await s.stat('/x')).toMatchObject({ type: 'dir', path: '/x' });
    expect(await names(s, '/x')).toEqual(['/x/y:dir']);
    expect(await names(s, '/x/y')).toEqual(['/x/y/z:dir']);
    expect(await names(s, '/x/y/z')).toEqual(['/x/y/z/d.txt:file']);
  });

  it('mount points cannot be removed, renamed or overwritten', async () => {
    const { s } = setup();
    await expectStorageError(s.rmdir('/archive'), 'EACCES');
    await expectStorageError(s.delete('/archive'), 'EISDIR');
    await expectStorageError(s.mkdir('/archive'), 'EEXIST');
    await expectStorageError(s.mkdir('/x'), 'EEXIST');
    await expectStorageError(s.rename('/archive', '/other'), 'EACCES');
    await expectStorageError(s.rename('/readme.txt', '/archive'), 'EACCES');
    await expectStorageError(s.rename('/x', '/w'), 'EACCES');
    await expectStorageError(s.write('/x/y', chunksOf('no')), 'EISDIR');
    await expectStorageError(collectText(s.read('/archive')), 'EISDIR');
  });

  it('moves a file across mounts by copy + delete, and refuses a directory with ENOTSUP', async () => {
    const { s, main, archive } = setup();
    await s.rename('/readme.txt', '/archive/readme.txt');
    expect(await collectText(archive.read('/readme.txt'))).toBe('root');
    await expectStorageError(main.stat('/readme.txt'), 'ENOENT');
    // Over an existing file on the other mount.
    await s.write('/b.txt', chunksOf('new b'));
    await s.rename('/b.txt', '/archive/2024/a.txt');
    expect(await collectText(s.read('/archive/2024/a.txt'))).toBe('new b');
    await expectStorageError(s.rename('/archive/2024', '/moved'), 'ENOTSUP');
    await s.write('/f', chunksOf('f'));
    await expectStorageError(s.rename('/f', '/archive/2024'), 'EISDIR');
    expect(await collectText(s.read('/f'))).toBe('f');
  });

  it('setMtime and chmod exist when any mount has them, and are ENOTSUP where it lacks them', async () => {
    const s = mountStorage({ '/': bare(memoryStorage({ files: { '/f': 'x' } })), '/m': memoryStorage({ files: { '/g': 'y' } }) });
    expect(capabilitiesOf(s)).toEqual({ setMtime: true, chmod: true, dispose: true });
    await expectStorageError(s.setMtime?.('/f', new Date(0)) ?? Promise.resolve(), 'ENOTSUP');
    await expectStorageError(s.chmod?.('/f', 0o600) ?? Promise.resolve(), 'ENOTSUP');
    await s.setMtime?.('/m/g', new Date(1000));
    expect((await s.stat('/m/g')).mtime.getTime()).toBe(1000);
    const none = mountStorage({ '/': bare(memoryStorage()) });
    expect(capabilitiesOf(none)).toEqual({ setMtime: false, chmod: false, dispose: true });
  });

  it('openRead exists when any mount has it: facts in the outer path, a stat and a read where the mount lacks it', async () => {
    const s = mountStorage({ '/': bare(memoryStorage({ files: { '/f': 'plain' } })), '/m': memoryStorage({ files: { '/g': 'opened' } }) });
    const inner = await s.openRead?.('/m/g');
    expect(inner?.stat).toMatchObject({ path: '/m/g', name: 'g', size: 6 });
    expect(await collectText(inner?.chunks ?? chunksOf(''))).toBe('opened');
    const emulated = await s.openRead?.('/f', { start: 2 });
    expect(emulated?.stat).toMatchObject({ path: '/f', size: 5, type: 'file' });
    expect(await collectText(emulated?.chunks ?? chunksOf(''))).toBe('ain');
    await expectStorageError(s.openRead?.('/m') ?? Promise.resolve(), 'EISDIR');
    await expectStorageError(s.openRead?.('/nope') ?? Promise.resolve(), 'ENOENT');
    expect(mountStorage({ '/': bare(memoryStorage()) }).openRead).toBeUndefined();
  });

  it('disposes every mounted adapter once', async () => {
    let disposed = 0;
    const a = { ...bare(memoryStorage()), dispose: async () => void disposed++ };
    await mountStorage({ '/': a, '/one': a, '/two': bare(memoryStorage()) }).dispose?.();
    expect(disposed).toBe(1);
  });

  it('sweepTemporary sweeps every mounted adapter once and adds up the results', async () => {
    const volume = new Volume();
    volume.mkdirSync('/a', { recursive: true });
    volume.mkdirSync('/b/deep', { recursive: true });
    volume.writeFileSync('/a/.ftpkit-upload-1', 'aa');
    volume.writeFileSync('/b/deep/.ftpkit-upload-2', 'bbb');
    const old = new Date(Date.now() - 60_000);
    for (const f of ['/a/.ftpkit-upload-1', '/b/deep/.ftpkit-upload-2']) volume.utimesSync(f, old, old);
    const a = memoryStorage({ volume, root: '/a' });
    const s = mountStorage({ '/': a, '/again': a, '/b': memoryStorage({ volume, root: '/b' }), '/bare': bare(memoryStorage()) });
    expect(await s.sweepTemporary?.()).toEqual({ removed: 2, bytes: 5, failed: 0, complete: true });
    expect(volume.existsSync('/a/.ftpkit-upload-1') || volume.existsSync('/b/deep/.ftpkit-upload-2')).toBe(false);
    expect(mountStorage({ '/': bare(memoryStorage()) }).sweepTemporary).toBeUndefined();
  });

  it('refuses two mount points that normalise to the same path', () => {
    expect(() => mountStorage({ '/a': memoryStorage(), '/a/': memoryStorage() })).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
  });

  it('hostile paths stay inside the mount they resolve to', async () => {
    const { s, main } = setup();
    await s.write('/archive/../../escape.txt', chunksOf('e'));
    expect(await collectText(main.read('/escape.txt'))).toBe('e');
    await s.write('/archive/2024/../../../x/y/z/../../../top.txt', chunksOf('t'));
    expect(await collectText(main.read('/top.txt'))).toBe('t');
  });
});

describe('lock keys (the server locks a file by them)', () => {
  it('adapters on one volume with nested roots name one file alike; another volume differs', async () => {
    const { Volume } = await import('memfs');
    const volume = new Volume();
    const top = memoryStorage({ volume });
    const pub = memoryStorage({ volume, root: '/pub' });
    expect(pub.lockKey?.('/a.txt')).toBe(top.lockKey?.('/pub/a.txt'));
    expect(pub.lockKey?.('/a.txt')).not.toBe(top.lockKey?.('/a.txt'));
    expect(memoryStorage({ volume: new Volume() }).lockKey?.('/pub/a.txt')).not.toBe(top.lockKey?.('/pub/a.txt'));
  });

  it('a mount delegates to the mounted adapter; one without lockKey is keyed by its instance', () => {
    const archive = memoryStorage();
    const plain = bare(memoryStorage());
    const m = mountStorage({ '/': plain, '/archive': archive });
    expect(m.lockKey?.('/archive/x')).toBe(archive.lockKey?.('/x'));
    expect(m.lockKey?.('/x')).toBe(lockKeyOf(plain, '/x'));
    expect(lockKeyOf(plain, '/x')).not.toBe(lockKeyOf(bare(memoryStorage()), '/x'));
    expect(lockKeyOf(plain, '/a/../x')).toBe(lockKeyOf(plain, '/x'));
  });
});
