import { Volume } from 'memfs';
import { describe, expect, it } from 'vitest';
import { capabilitiesOf } from '@ftpkit/storage';
import {
  chunksOf,
  collectText,
  describePathEscapes,
  describeStorageAdapter,
  expectStorageError,
  memoryNow,
  MemoryProbe,
  mib,
} from '@ftpkit/storage/testing';
import { memoryStorage } from './memory-storage.js';

/** Open file descriptors of a memfs volume (memfs keeps the count on its superblock). */
function openFiles(volume: Volume): number {
  return (volume as unknown as { _core: { openFiles: number } })._core.openFiles;
}

describeStorageAdapter(
  'memoryStorage',
  () => {
    const volume = new Volume();
    return { adapter: memoryStorage({ volume }), openHandles: () => openFiles(volume) };
  },
  {
    capabilities: { setMtime: true, chmod: true, dispose: false },
    openRead: true,
    reportsMode: true,
    memoryMetric: 'heap',
    // memfs keeps a file in one buffer and doubles it as it grows: old + new during the copy.
    heapGrowthFactor: 2,
    onMemoryReport: (r) =>
      console.log(
        `[memory] ${r.adapter}: ${mib(r.fileBytes)} file, live heap+external peak while writing ${mib(r.writePeakBytes)}, ` +
          `retained after write ${mib(r.retainedAfterWriteBytes)}, peak while reading ${mib(r.readPeakBytes)}`,
      ),
  },
);

describePathEscapes('memoryStorage', () => {
  const volume = new Volume();
  const secret = 'TOP SECRET outside the root';
  volume.mkdirSync('/base/root/sub', { recursive: true });
  volume.writeFileSync('/base/secret.txt', secret);
  volume.symlinkSync('../secret.txt', '/base/root/link-out');
  volume.symlinkSync('..', '/base/root/link-dir-out');
  volume.symlinkSync('/base', '/base/root/link-abs');
  volume.symlinkSync('../..', '/base/root/sub/link-up');
  const outside = async (): Promise<string> => {
    const lines: string[] = [];
    const walk = (dir: string): void => {
      for (const name of (volume.readdirSync(dir) as string[]).sort()) {
        const p = `${dir === '/' ? '' : dir}/${name}`;
        if (p === '/base/root') continue;
        const st = volume.lstatSync(p);
        const content = st.isFile() ? String(volume.readFileSync(p, 'utf8')) : '';
        lines.push(`${p} ${st.mode} ${st.size} ${st.mtimeMs} ${content}`);
        if (st.isDirectory()) walk(p);
      }
    };
    walk('/');
    return lines.join('\n');
  };
  return { adapter: memoryStorage({ volume, root: '/base/root' }), secret, outside };
});

describe('memoryStorage specifics', () => {
  it('is seeded from an object of paths to strings or bytes', async () => {
    const s = memoryStorage({
      files: { '/a.txt': 'hello', 'deep/dir/b.bin': new Uint8Array([1, 2, 3]), '/../c.txt': 'c' },
    });
    expect(await collectText(s.read('/a.txt'))).toBe('hello');
    expect((await s.stat('/deep/dir/b.bin')).size).toBe(3);
    expect((await s.stat('/deep')).type).toBe('dir');
    expect(await collectText(s.read('/c.txt'))).toBe('c');
  });

  it('each adapter has its own tree unless a volume is shared', async () => {
    const a = memoryStorage({ files: { '/x': '1' } });
    const b = memoryStorage();
    await expectStorageError(b.stat('/x'), 'ENOENT');
    expect((await a.stat('/x')).size).toBe(1);
  });

  it('read-only mode refuses changes with EACCES', async () => {
    const s = memoryStorage({ files: { '/f': 'x' }, readOnly: true });
    await expectStorageError(s.write('/f', chunksOf('y')), 'EACCES');
    await expectStorageError(s.mkdir('/d'), 'EACCES');
    await expectStorageError(s.delete('/f'), 'EACCES');
    expect(await collectText(s.read('/f'))).toBe('x');
  });

  it('has setMtime and chmod, no dispose', () => {
    expect(capabilitiesOf(memoryStorage())).toEqual({ setMtime: true, chmod: true, dispose: false });
  });
});

describe('memoryStorage gives memory back without waiting for the garbage collector (issue 15.5)', () => {
  const MiB = 1 << 20;
  // 40 MiB: memfs would hold it in a 64 MiB buffer after growing through 32, 16, 8... MiB ones.
  const size = 40 * MiB;

  async function* socketLike(): AsyncGenerator<Uint8Array> {
    // One 64 KiB chunk sent over and over, as a socket delivers an upload: the source itself
    // allocates nothing, so what grows is what the adapter holds.
    const chunk = Buffer.alloc(64 * 1024, 7);
    for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
  }

  for (const uploadMode of ['resumable', 'atomic'] as const) {
    it(`${uploadMode}: a stored file costs its size, and a deleted one nothing, with no GC in between`, async () => {
      const s = memoryStorage();
      const probe = new MemoryProbe('heap');
      try {
        await s.write('/big.bin', socketLike(), { uploadMode });
        const stored = memoryNow('heap') - probe.baseline;
        expect((await s.stat('/big.bin')).size).toBe(size);
        await s.delete('/big.bin');
        const deleted = memoryNow('heap') - probe.baseline;
        console.log(`[memory] ${uploadMode}: ${mib(size)} stored -> +${mib(stored)} heap+external; deleted -> +${mib(deleted)}`);
        expect(stored).toBeLessThan(size + 8 * MiB);
        expect(deleted).toBeLessThan(8 * MiB);
      } finally {
        probe.stop();
      }
    });
  }

  it('a reader that still has a deleted file open reads it whole', async () => {
    const s = memoryStorage();
    const data = Buffer.alloc(3 * MiB, 9);
    await s.write('/f.bin', chunksOf(data));
    const chunks: Buffer[] = [];
    let deleted = false;
    for await (const chunk of s.read('/f.bin')) {
      chunks.push(Buffer.from(chunk));
      if (!deleted) {
        deleted = true;
        await s.delete('/f.bin');
        await s.write('/f.bin', chunksOf(Buffer.alloc(2 * MiB, 1)));
      }
    }
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });
});
