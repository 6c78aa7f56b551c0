import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capabilitiesOf, type StorageCapabilities } from '../capabilities.js';
import { joinPath } from '../resolve-path.js';
import type { FileStat, StorageAdapter, UploadMode } from '../storage-adapter.js';
import type { StorageErrorCode } from '../storage-error.js';
import { MemoryProbe, mib, settleMemory, type MemoryMetric } from './memory-probe.js';
import {
  PatternSource,
  chunksOf,
  collectBytes,
  collectText,
  failingAfter,
  hashStream,
} from './stream-helpers.js';

/** What the factory hands the suite for one test. */
export interface StorageTestHarness {
  adapter: StorageAdapter;
  /**
   * Handles (file descriptors, sockets) the adapter holds open right now. Lets the suite prove
   * that an aborted read releases its handle; without it the suite only checks that the read
   * stops and the file can be deleted.
   */
  openHandles?: () => number | Promise<number>;
  /** Called after each test (after `adapter.dispose`), e.g. to remove a temporary directory. */
  cleanup?: () => void | Promise<void>;
  /**
   * Creates fixture entries behind the adapter's back (through a writable inner adapter, a
   * fixture directory, a bucket upload). Required with `readOnly: true`; the suite calls it once
   * per test, before it reads, with directories listed before their contents.
   * `seedThrough(inner, entries)` does it through any writable adapter.
   */
  seed?: (entries: readonly SeedEntry[]) => Promise<void>;
}

/** One fixture entry the suite needs: a directory, or a file with its exact bytes. */
export type SeedEntry =
  | { readonly type: 'dir'; readonly path: string }
  | { readonly type: 'file'; readonly path: string; readonly data: Uint8Array };

/** What the adapter declares about itself, so the suite tests exactly that. */
export interface StorageAdapterTestOptions {
  /**
   * The adapter cannot change anything. The suite then builds its fixtures through the harness's
   * `seed`, runs only the read-side tests (stat, list, read, awkward names, capabilities) and
   * checks that every change (write, mkdir, rmdir, delete, rename, setMtime, chmod) is refused
   * with `EACCES` or `ENOTSUP` and changes nothing. Default false.
   */
  readOnly?: boolean;
  /** Optional members the adapter claims; each one claimed is asserted present and tested. */
  capabilities?: Partial<StorageCapabilities>;
  /**
   * The adapter has `openRead` (true: asserted present and tested like `read`, its facts like
   * `stat`'s; false: asserted absent). Default: not checked.
   */
  openRead?: boolean;
  /** `stat` reports Unix permission bits in `mode`. Default false. */
  reportsMode?: boolean;
  /**
   * How the big-file test bounds memory. `'rss'` (default): the peak of process RSS, garbage
   * included, may not grow by more than `memoryBoundBytes` while writing or while reading.
   * `'heap'`: for adapters whose data lives in the JS heap (in-memory), RSS must grow by the file
   * itself, so the suite samples live heap + Buffer memory (after a full GC every 8 chunks) and
   * checks that the adapter holds at most the file plus the bound while and after writing, and at
   * most the bound more while reading it back.
   */
  memoryMetric?: MemoryMetric;
  /**
   * With `memoryMetric: 'heap'`: how many times the file an in-memory adapter may hold for a
   * moment while the file grows (a backend that doubles a contiguous buffer, like memfs, needs 2:
   * old and new buffer during the copy). After the write it must hold the file + bound. Default 1.
   */
  heapGrowthFactor?: number;
  /** Size of the big streamed file. Default 256 MiB. */
  bigFileBytes?: number;
  /** Allowed memory growth in the big-file test. Default 64 MiB. */
  memoryBoundBytes?: number;
  /** Entries in the big-directory test. Default 10,000. */
  bigDirEntries?: number;
  /** Time limit of the big-file test in ms. Default 90,000. */
  bigFileTimeoutMs?: number;
  /** Called with the measured figures of the big-file test (for reports). */
  onMemoryReport?: (report: MemoryReport) => void;
}

/** Figures measured by the big-file test. */
export interface MemoryReport {
  adapter: string;
  metric: MemoryMetric;
  fileBytes: number;
  /** Peak growth while writing. */
  writePeakBytes: number;
  /** Live growth after the write, after a full GC. */
  retainedAfterWriteBytes: number;
  /** Peak growth while reading, over the level after the write. */
  readPeakBytes: number;
}

/** Makes a fresh, empty adapter (or a harness around one) for each test. */
export type StorageAdapterFactory = () =>
  | StorageTestHarness
  | StorageAdapter
  | Promise<StorageTestHarness | StorageAdapter>;

const MiB = 1 << 20;

/** Awaits `promise` and asserts it rejected with a StorageError carrying one of `codes`. */
export async function expectStorageError(
  promise: Promise<unknown>,
  ...codes: StorageErrorCode[]
): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  expect(error, `expected a StorageError ${codes.join('|')}`).toBeDefined();
  // Duck-typed: a bundled copy of the suite may hold its own StorageError class.
  expect(error).toMatchObject({ name: 'StorageError' });
  expect(codes).toContain((error as { code?: unknown }).code);
}

/**
 * Creates `entries` through a writable adapter, in order: a `seed` for a read-only adapter that
 * wraps (or shares its backend with) `adapter`.
 */
export async function seedThrough(adapter: StorageAdapter, entries: readonly SeedEntry[]): Promise<void> {
  const width = 16;
  let batch: Promise<unknown>[] = [];
  for (const entry of entries) {
    if (entry.type === 'dir') {
      await Promise.all(batch);
      batch = [];
      await adapter.mkdir(entry.path);
      continue;
    }
    batch.push(adapter.write(entry.path, chunksOf(entry.data)));
    if (batch.length === width) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
}

const dir = (path: string): SeedEntry => ({ type: 'dir', path });
const file = (path: string, data: string | Uint8Array): SeedEntry => ({
  type: 'file',
  path,
  data: typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'utf8')) : data,
});

async function listAll(adapter: StorageAdapter, dir: string): Promise<FileStat[]> {
  const out: FileStat[] = [];
  for await (const entry of adapter.list(dir)) out.push(entry);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Names a client may legitimately use and that break naive path handling. */
export const AWKWARD_NAMES: readonly string[] = [
  'with space.txt',
  ' leading space',
  "single'quote.txt",
  'double"quote.txt',
  'hash#tag.txt',
  'percent%20encoded.txt',
  '100%.txt',
  'semi;colon&amp=1?.txt',
  '[brackets]{braces}(parens).txt',
  'ünïcödé-名前-🚀.txt',
  'Ελληνικά and עברית.txt',
  '-dash-first',
  '...dots',
];

/**
 * The conformance suite every storage adapter passes. `factory` runs before each test and gives a
 * fresh, empty adapter (and optionally a handle counter and a cleanup).
 *
 * Contract details the suite pins down (beyond the interface comments):
 * - errors are `StorageError`s; an error from the `data` source of `write` (or an abort) is passed
 *   through unchanged so the caller can tell a broken data connection from a storage failure;
 * - `write` in `resumable` mode stores every byte it consumed before a source error; in `atomic`
 *   mode the old content (or absence) stays until the source ends cleanly, and no temporary
 *   entry is ever listed;
 * - `write` with `start` overwrites from that offset and keeps what follows; `append` adds at the
 *   end; both create a missing file;
 * - `write` with `start` past the current end is `EINVAL` (no sparse files from REST);
 * - `chmod` sets permission bits only: a mode above 0o777 (setuid, setgid, sticky) is `EINVAL`;
 * - `read` past the end yields nothing; reading a directory is `EISDIR`.
 */
export function describeStorageAdapter(
  name: string,
  factory: StorageAdapterFactory,
  options: StorageAdapterTestOptions = {},
): void {
  const bigFileBytes = options.bigFileBytes ?? 256 * MiB;
  const memoryBound = options.memoryBoundBytes ?? 64 * MiB;
  const metric = options.memoryMetric ?? 'rss';
  const bigDirEntries = options.bigDirEntries ?? 10_000;
  const growthFactor = options.heapGrowthFactor ?? 1;
  const readOnly = options.readOnly ?? false;

  describe(`storage adapter conformance: ${name}`, () => {
    let harness: StorageTestHarness;
    let s: StorageAdapter;

    beforeEach(async () => {
      const made = await factory();
      harness = 'adapter' in made ? made : { adapter: made };
      s = harness.adapter;
      if (readOnly && !harness.seed) {
        throw new Error('describeStorageAdapter: readOnly needs a harness with seed(entries)');
      }
    });

    afterEach(async () => {
      await s.dispose?.();
      await harness.cleanup?.();
    });

    const put = async (path: string, text: string, uploadMode?: UploadMode): Promise<void> => {
      await s.write(path, chunksOf(text), { uploadMode });
    };
    const text = async (path: string): Promise<string> => collectText(s.read(path));
    /** Builds a test's fixture: through the adapter, or through `seed` when it is read-only. */
    const setup = async (...entries: SeedEntry[]): Promise<void> => {
      if (readOnly) await harness.seed?.(entries);
      else await seedThrough(s, entries);
    };

    describe('capabilities', () => {
      it('has exactly the optional members it declares', () => {
        const have = capabilitiesOf(s);
        for (const [cap, expected] of Object.entries(options.capabilities ?? {})) {
          expect(have[cap as keyof StorageCapabilities], cap).toBe(expected);
        }
        if (options.openRead !== undefined) expect(typeof s.openRead === 'function', 'openRead').toBe(options.openRead);
      });
    });

    describe('stat and list', () => {
      it('stats the root as a directory', async () => {
        const root = await s.stat('/');
        expect(root.type).toBe('dir');
        expect(root.path).toBe('/');
      });

      it('stats a file with size, mtime, name and path', async () => {
        const before = Date.now();
        await setup(dir('/d'), file('/d/f.txt', 'hello'));
        const st = await s.stat('/d/f.txt');
        expect(st).toMatchObject({ name: 'f.txt', path: '/d/f.txt', type: 'file', size: 5 });
        expect(st.mtime).toBeInstanceOf(Date);
        // Filesystems store mtimes at coarse granularity; allow 2 s either side.
        expect(st.mtime.getTime()).toBeGreaterThanOrEqual(before - 2000);
        expect(st.mtime.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
        if (options.reportsMode) expect(st.mode).toBeTypeOf('number');
      });

      it('stats a directory', async () => {
        await setup(dir('/dir'));
        const st = await s.stat('/dir');
        expect(st).toMatchObject({ name: 'dir', path: '/dir', type: 'dir' });
        expect(st.mtime).toBeInstanceOf(Date);
      });

      it('stat of a missing path is ENOENT, below a file ENOENT or ENOTDIR', async () => {
        await setup(file('/f', 'x'));
        await expectStorageError(s.stat('/nope'), 'ENOENT');
        await expectStorageError(s.stat('/f/child'), 'ENOENT', 'ENOTDIR');
      });

      it('lists files and directories with types, sizes and virtual paths', async () => {
        await setup(dir('/d'), dir('/d/sub'), file('/d/a.txt', 'abc'), file('/d/empty', ''));
        const entries = await listAll(s, '/d');
        expect(entries.map((e) => [e.name, e.path, e.type])).toEqual([
          ['a.txt', '/d/a.txt', 'file'],
          ['empty', '/d/empty', 'file'],
          ['sub', '/d/sub', 'dir'],
        ]);
        expect(entries.find((e) => e.name === 'a.txt')?.size).toBe(3);
        expect(entries.find((e) => e.name === 'empty')?.size).toBe(0);
        for (const e of entries) expect(e.mtime).toBeInstanceOf(Date);
      });

      it('lists the root and an empty directory', async () => {
        await setup(dir('/empty'), file('/top.txt', 'x'));
        expect((await listAll(s, '/')).map((e) => e.path)).toEqual(['/empty', '/top.txt']);
        expect(await listAll(s, '/empty')).toEqual([]);
      });

      it('list of a missing dir is ENOENT, of a file ENOTDIR', async () => {
        await setup(file('/file', 'x'));
        await expectStorageError(listAll(s, '/missing'), 'ENOENT');
        await expectStorageError(listAll(s, '/file'), 'ENOTDIR');
      });

      it(`lists a directory of ${bigDirEntries} entries`, { timeout: 120_000 }, async () => {
        const empty = new Uint8Array(0);
        const entries = [dir('/big')];
        for (let j = 0; j < bigDirEntries; j++) {
          entries.push(file(`/big/entry-${String(j).padStart(6, '0')}`, empty));
        }
        await setup(...entries);
        const seen = new Set<string>();
        for await (const entry of s.list('/big')) {
          expect(entry.type).toBe('file');
          seen.add(entry.name);
        }
        expect(seen.size).toBe(bigDirEntries);
        expect(seen.has('entry-000000')).toBe(true);
        expect(seen.has(`entry-${String(bigDirEntries - 1).padStart(6, '0')}`)).toBe(true);
        // Stopping early is allowed and must not throw.
        let taken = 0;
        for await (const _ of s.list('/big')) if (++taken === 3) break;
        expect(taken).toBe(3);
      });
    });

    describe('read', () => {
      it('reads a whole file and from an offset', async () => {
        await setup(file('/r.txt', '0123456789'));
        expect(await text('/r.txt')).toBe('0123456789');
        expect(await collectText(s.read('/r.txt', { start: 4 }))).toBe('456789');
        expect(await collectText(s.read('/r.txt', { start: 10 }))).toBe('');
        expect(await collectText(s.read('/r.txt', { start: 50 }))).toBe('');
      });

      it('reads a multi-chunk file from an offset in the middle of a chunk', async () => {
        const big = Buffer.alloc(3 * MiB + 123);
        for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 11)) & 0xff;
        await setup(file('/m.bin', big));
        expect((await collectBytes(s.read('/m.bin', { start: MiB + 17 }))).equals(big.subarray(MiB + 17))).toBe(true);
      });

      it('read of a missing file is ENOENT, of a directory EISDIR', async () => {
        await setup(dir('/dir'));
        await expectStorageError(collectBytes(s.read('/missing')), 'ENOENT');
        await expectStorageError(collectBytes(s.read('/dir')), 'EISDIR');
      });

      it('an aborted read stops and releases its file handle', async () => {
        await setup(file('/abort.bin', await collectBytes(new PatternSource(8 * MiB, 256 * 1024).chunks())));
        const before = harness.openHandles ? await harness.openHandles() : 0;
        const ac = new AbortController();
        let chunks = 0;
        await expect(
          (async () => {
            for await (const _ of s.read('/abort.bin', { signal: ac.signal })) {
              chunks++;
              ac.abort();
            }
          })(),
        ).rejects.toBeDefined();
        expect(chunks).toBe(1);
        const { openHandles } = harness;
        if (openHandles) {
          expect(await waitFor(async () => (await openHandles()) <= before, 2000)).toBe(true);
        }
        if (readOnly) {
          expect((await collectBytes(s.read('/abort.bin'))).length).toBe(8 * MiB);
        } else {
          await s.delete('/abort.bin');
          await expectStorageError(s.stat('/abort.bin'), 'ENOENT');
        }
      });

      it('a read left early (break) releases its file handle', async () => {
        await setup(file('/break.bin', await collectBytes(new PatternSource(8 * MiB, 256 * 1024).chunks())));
        const before = harness.openHandles ? await harness.openHandles() : 0;
        for await (const _ of s.read('/break.bin')) break;
        const { openHandles } = harness;
        if (openHandles) {
          expect(await waitFor(async () => (await openHandles()) <= before, 2000)).toBe(true);
        }
      });

      it('a read with an already aborted signal yields nothing', async () => {
        await setup(file('/a.txt', 'abc'));
        const ac = new AbortController();
        ac.abort();
        await expect(collectBytes(s.read('/a.txt', { signal: ac.signal }))).rejects.toBeDefined();
      });
    });

    if (options.openRead === true) {
      describe('openRead', () => {
        const openRead = (path: string, opts?: { start?: number; signal?: AbortSignal }) => {
          if (s.openRead === undefined) throw new Error('openRead declared but absent');
          return s.openRead(path, opts);
        };

        it('tells the facts stat tells and reads what read reads, from an offset too', async () => {
          await setup(dir('/o'), file('/o/r.txt', '0123456789'));
          const whole = await openRead('/o/r.txt');
          const st = await s.stat('/o/r.txt');
          expect(whole.stat).toMatchObject({ name: 'r.txt', path: '/o/r.txt', type: 'file', size: 10 });
          expect(whole.stat.mtime.getTime()).toBe(st.mtime.getTime());
          expect(await collectText(whole.chunks)).toBe('0123456789');
          const tail = await openRead('/o/r.txt', { start: 4 });
          expect(tail.stat.size).toBe(10);
          expect(await collectText(tail.chunks)).toBe('456789');
          expect(await collectText((await openRead('/o/r.txt', { start: 50 })).chunks)).toBe('');
        });

        it('a missing file is ENOENT, a directory EISDIR, a bad offset EINVAL', async () => {
          await setup(dir('/dir'), file('/f.txt', 'x'));
          await expectStorageError(openRead('/missing'), 'ENOENT');
          await expectStorageError(openRead('/dir'), 'EISDIR');
          await expectStorageError(openRead('/'), 'EISDIR');
          await expectStorageError(openRead('/f.txt', { start: -1 }), 'EINVAL');
        });

        it('an opened file left unread (return) or read to the end releases its handle', async () => {
          await setup(file('/h.bin', await collectBytes(new PatternSource(4 * MiB, 256 * 1024).chunks())));
          const before = harness.openHandles ? await harness.openHandles() : 0;
          const left = await openRead('/h.bin');
          await left.chunks.return?.();
          const read = await openRead('/h.bin');
          expect((await collectBytes(read.chunks)).length).toBe(4 * MiB);
          const { openHandles } = harness;
          if (openHandles) {
            expect(await waitFor(async () => (await openHandles()) <= before, 2000)).toBe(true);
          }
        });

        it('an abort stops the read of an opened file', async () => {
          await setup(file('/a.bin', await collectBytes(new PatternSource(8 * MiB, 256 * 1024).chunks())));
          const ac = new AbortController();
          const opened = await openRead('/a.bin', { signal: ac.signal });
          let chunks = 0;
          await expect(
            (async () => {
              for await (const _ of opened.chunks) {
                chunks++;
                ac.abort();
              }
            })(),
          ).rejects.toBeDefined();
          expect(chunks).toBe(1);
        });
      });
    }

    // Everything below until the awkward names changes the tree: not for a read-only adapter.
    if (!readOnly) {
    describe.each(['resumable', 'atomic'] as const)('write (%s)', (uploadMode) => {
      it('truncate replaces the whole content and reports the byte count', async () => {
        await s.write('/w.txt', chunksOf('a much longer old content'), { uploadMode });
        const result = await s.write('/w.txt', chunksOf('new', ' one'), { uploadMode });
        expect(result.bytes).toBe(7);
        expect(await text('/w.txt')).toBe('new one');
      });

      it('append adds at the end, and creates a missing file', async () => {
        await s.write('/ap.txt', chunksOf('abc'), { uploadMode, mode: 'append' });
        const r = await s.write('/ap.txt', chunksOf('de', 'f'), { uploadMode, mode: 'append' });
        expect(r.bytes).toBe(3);
        expect(await text('/ap.txt')).toBe('abcdef');
      });

      it('writes at an offset without truncating the rest (REST + STOR)', async () => {
        await put('/off.txt', '0123456789');
        const r = await s.write('/off.txt', chunksOf('XY'), { uploadMode, start: 3 });
        expect(r.bytes).toBe(2);
        expect(await text('/off.txt')).toBe('012XY56789');
        await s.write('/off.txt', chunksOf('tail!'), { uploadMode, start: 8 });
        expect(await text('/off.txt')).toBe('012XY567tail!');
        await s.write('/off.txt', chunksOf('whole'), { uploadMode, start: 0 });
        expect(await text('/off.txt')).toBe('whole567tail!');
      });

      it('refuses an offset past the end with EINVAL (no sparse file), and changes nothing', async () => {
        await put('/past.txt', 'abc');
        await expectStorageError(s.write('/past.txt', chunksOf('x'), { uploadMode, start: 4 }), 'EINVAL');
        await expectStorageError(s.write('/past.txt', chunksOf('x'), { uploadMode, start: 2 ** 40 }), 'EINVAL');
        expect(await text('/past.txt')).toBe('abc');
        expect((await s.stat('/past.txt')).size).toBe(3);
        await expectStorageError(s.write('/new-past.txt', chunksOf('x'), { uploadMode, start: 1 }), 'EINVAL');
        await expectStorageError(s.stat('/new-past.txt'), 'ENOENT');
        await s.write('/past.txt', chunksOf('d'), { uploadMode, start: 3 });
        expect(await text('/past.txt')).toBe('abcd');
      });

      it('writes 0 bytes: creates an empty file, and empties an existing one', async () => {
        expect((await s.write('/zero', chunksOf(), { uploadMode })).bytes).toBe(0);
        expect(await s.stat('/zero')).toMatchObject({ type: 'file', size: 0 });
        await put('/zero2', 'content');
        await s.write('/zero2', chunksOf(), { uploadMode });
        expect((await s.stat('/zero2')).size).toBe(0);
        expect(await text('/zero2')).toBe('');
      });

      it('writes many small chunks in order', async () => {
        const parts = Array.from({ length: 500 }, (_, i) => `${i},`);
        await s.write('/many.txt', chunksOf(...parts), { uploadMode });
        expect(await text('/many.txt')).toBe(parts.join(''));
      });

      it('write below a missing dir is ENOENT, onto a directory EISDIR', async () => {
        await expectStorageError(s.write('/no/such/f', chunksOf('x'), { uploadMode }), 'ENOENT');
        await s.mkdir('/isdir');
        await expectStorageError(s.write('/isdir', chunksOf('x'), { uploadMode }), 'EISDIR');
      });

      it('never reports success for a source that errors halfway, and passes its error on', async () => {
        await put('/keep.txt', 'old content');
        const boom = new Error('data connection reset');
        await expect(
          s.write('/keep.txt', failingAfter(boom, 'partial', ' data'), { uploadMode }),
        ).rejects.toBe(boom);
        const names = (await listAll(s, '/')).map((e) => e.name);
        expect(names).toEqual(['keep.txt']);
        if (uploadMode === 'atomic') {
          expect(await text('/keep.txt')).toBe('old content');
        } else {
          // Everything consumed before the failure is stored, so REST/APPE can resume it.
          expect(await text('/keep.txt')).toBe('partial data');
        }
      });

      it('a failed first upload of a new file leaves nothing (atomic) or the partial data (resumable)', async () => {
        const boom = new Error('reset');
        await expect(s.write('/new.txt', failingAfter(boom, 'half'), { uploadMode })).rejects.toBe(boom);
        if (uploadMode === 'atomic') {
          await expectStorageError(s.stat('/new.txt'), 'ENOENT');
          expect(await listAll(s, '/')).toEqual([]);
        } else {
          expect(await text('/new.txt')).toBe('half');
        }
      });

      it('an abort signal stops the write and it rejects', async () => {
        await put('/ab.txt', 'old');
        const ac = new AbortController();
        async function* slow(): AsyncGenerator<Uint8Array> {
          yield new TextEncoder().encode('first');
          ac.abort();
          await new Promise((resolve) => setTimeout(resolve, 10));
          yield new TextEncoder().encode('second');
        }
        await expect(s.write('/ab.txt', slow(), { uploadMode, signal: ac.signal })).rejects.toBeDefined();
        const content = await text('/ab.txt');
        if (uploadMode === 'atomic') expect(content).toBe('old');
        // Resumable stores what it consumed before the abort, and nothing after it.
        else expect(content).toBe('first');
      });

      // A client killed mid-upload closes its data connection with a plain FIN (a clean end of
      // the source) and its control connection with it; the session ending aborts the signal,
      // possibly only after the source ended. Neither may commit the upload or report it done.
      it.each(['before the source ends', 'as the source ends'] as const)(
        'a source that ends normally with its signal aborted %s is not committed nor reported done',
        async (when) => {
          await put('/gate.txt', 'old');
          const ac = new AbortController();
          const gone = new Error('session gone');
          let sent = false;
          const source: AsyncIterable<Uint8Array> = {
            [Symbol.asyncIterator]: () => ({
              next: async (): Promise<IteratorResult<Uint8Array>> => {
                if (!sent) {
                  sent = true;
                  return { done: false, value: new TextEncoder().encode('new content') };
                }
                if (when === 'before the source ends') ac.abort(gone);
                // Queued as the end is reported: it fires before the adapter's next turn.
                else setImmediate(() => ac.abort(gone));
                return { done: true, value: undefined };
              },
            }),
          };
          await expect(s.write('/gate.txt', source, { uploadMode, signal: ac.signal })).rejects.toBeDefined();
          expect(ac.signal.aborted).toBe(true);
          expect((await listAll(s, '/')).map((e) => e.name)).toEqual(['gate.txt']);
          if (uploadMode === 'atomic') expect(await text('/gate.txt')).toBe('old');
        },
      );

      it('concurrent writes to different files do not interfere', async () => {
        const n = 12;
        const sources = Array.from({ length: n }, (_, i) => new PatternSource(300_000 + i * 1000, 16_384));
        const results = await Promise.all(
          sources.map((src, i) => s.write(`/c${i}.bin`, src.chunks(), { uploadMode })),
        );
        for (let i = 0; i < n; i++) {
          const src = sources[i];
          if (src === undefined) throw new Error('unreachable');
          expect(results[i]?.bytes).toBe(src.totalBytes);
          const got = await hashStream(s.read(`/c${i}.bin`));
          expect(got).toEqual({ bytes: src.totalBytes, sha256: src.digest() });
        }
        expect((await listAll(s, '/')).length).toBe(n);
      });
    });

    describe('atomic uploads', () => {
      it('readers and listings see the old file, and no temporary entry, until the end', async () => {
        await put('/doc.txt', 'old');
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let sentFirst!: () => void;
        const first = new Promise<void>((resolve) => {
          sentFirst = resolve;
        });
        async function* gated(): AsyncGenerator<Uint8Array> {
          yield new TextEncoder().encode('new ');
          sentFirst();
          await gate;
          yield new TextEncoder().encode('content');
        }
        const writing = s.write('/doc.txt', gated(), { uploadMode: 'atomic' });
        await first;
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await text('/doc.txt')).toBe('old');
        expect((await listAll(s, '/')).map((e) => e.name)).toEqual(['doc.txt']);
        release();
        expect((await writing).bytes).toBe(11);
        expect(await text('/doc.txt')).toBe('new content');
        expect((await listAll(s, '/')).map((e) => e.name)).toEqual(['doc.txt']);
      });
    });

    it(
      metric === 'rss'
        ? `streams a ${mib(bigFileBytes)} file in and out with process RSS growing by at most ${mib(memoryBound)}`
        : `streams a ${mib(bigFileBytes)} file in and out holding at most the file + ${mib(memoryBound)} of live heap ` +
          `after the write${growthFactor === 1 ? '' : ` (${growthFactor}x the file while it grows)`}, ` +
          `and at most ${mib(memoryBound)} more while reading (in-memory adapter: RSS check not applicable)`,
      { timeout: options.bigFileTimeoutMs ?? 90_000 },
      async () => {
        const src = new PatternSource(bigFileBytes);
        const live = metric === 'heap' ? { liveEvery: 8 } : {};
        await settleMemory();
        const writeProbe = new MemoryProbe(metric, live);
        let written: number;
        let writePeak: number;
        let retained: number;
        try {
          // With a signal, as a server always passes one: an adapter that races each chunk against
          // a long-lived abort promise keeps every chunk reachable, which only shows with a signal.
          written = (await s.write('/big.bin', src.chunks(() => writeProbe.sample()), { uploadMode: 'resumable', signal: new AbortController().signal })).bytes;
          writePeak = writeProbe.growth();
          await settleMemory();
          retained = writeProbe.retained();
        } finally {
          writeProbe.stop();
        }
        expect(written).toBe(bigFileBytes);
        expect((await s.stat('/big.bin')).size).toBe(bigFileBytes);

        await settleMemory();
        const readProbe = new MemoryProbe(metric, live);
        let got: { bytes: number; sha256: string };
        let readPeak: number;
        try {
          got = await hashStream(s.read('/big.bin', { signal: new AbortController().signal }), () => readProbe.sample());
          readPeak = readProbe.growth();
        } finally {
          readProbe.stop();
        }
        expect(got).toEqual({ bytes: bigFileBytes, sha256: src.digest() });

        const report: MemoryReport = {
          adapter: name,
          metric,
          fileBytes: bigFileBytes,
          writePeakBytes: writePeak,
          retainedAfterWriteBytes: retained,
          readPeakBytes: readPeak,
        };
        options.onMemoryReport?.(report);
        if (metric === 'rss') {
          expect(writePeak, `RSS growth while writing: ${mib(writePeak)}`).toBeLessThanOrEqual(memoryBound);
        } else {
          expect(writePeak, `live memory while writing: ${mib(writePeak)}`).toBeLessThanOrEqual(
            growthFactor * bigFileBytes + memoryBound,
          );
          expect(retained, `live memory after the write: ${mib(retained)}`).toBeLessThanOrEqual(
            bigFileBytes + memoryBound,
          );
        }
        expect(readPeak, `${metric} growth while reading: ${mib(readPeak)}`).toBeLessThanOrEqual(memoryBound);
        await s.delete('/big.bin');
      },
    );

    describe('directories', () => {
      it('mkdir creates; mkdir of an existing dir or file is EEXIST; under a missing parent ENOENT', async () => {
        await s.mkdir('/d');
        expect((await s.stat('/d')).type).toBe('dir');
        await expectStorageError(s.mkdir('/d'), 'EEXIST');
        await put('/f', 'x');
        await expectStorageError(s.mkdir('/f'), 'EEXIST');
        await expectStorageError(s.mkdir('/missing/child'), 'ENOENT');
        await expectStorageError(s.mkdir('/'), 'EEXIST');
      });

      it('rmdir removes an empty dir; non-empty ENOTEMPTY; file ENOTDIR; missing ENOENT', async () => {
        await s.mkdir('/e');
        await s.rmdir('/e');
        await expectStorageError(s.stat('/e'), 'ENOENT');
        await s.mkdir('/full');
        await put('/full/x', 'x');
        await expectStorageError(s.rmdir('/full'), 'ENOTEMPTY');
        expect(await text('/full/x')).toBe('x');
        await put('/file', 'x');
        await expectStorageError(s.rmdir('/file'), 'ENOTDIR');
        await expectStorageError(s.rmdir('/missing'), 'ENOENT');
      });

      it('delete removes a file; a dir is EISDIR; missing ENOENT', async () => {
        await put('/del', 'x');
        await s.delete('/del');
        await expectStorageError(s.stat('/del'), 'ENOENT');
        await s.mkdir('/dir');
        await expectStorageError(s.delete('/dir'), 'EISDIR');
        expect((await s.stat('/dir')).type).toBe('dir');
        await expectStorageError(s.delete('/missing'), 'ENOENT');
      });

      it('refuses to remove the root', async () => {
        await expectStorageError(s.rmdir('/'), 'EACCES', 'EINVAL', 'ENOTEMPTY');
        await expectStorageError(s.delete('/'), 'EACCES', 'EISDIR', 'EINVAL');
        expect((await s.stat('/')).type).toBe('dir');
      });
    });

    describe('rename', () => {
      it('renames a file', async () => {
        await put('/a.txt', 'A');
        await s.rename('/a.txt', '/b.txt');
        await expectStorageError(s.stat('/a.txt'), 'ENOENT');
        expect(await text('/b.txt')).toBe('A');
      });

      it('moves a file into another directory', async () => {
        await s.mkdir('/x');
        await put('/a.txt', 'A');
        await s.rename('/a.txt', '/x/a2.txt');
        expect(await text('/x/a2.txt')).toBe('A');
      });

      it('renames a directory with its contents', async () => {
        await s.mkdir('/src');
        await s.mkdir('/src/inner');
        await put('/src/one.txt', '1');
        await put('/src/inner/two.txt', '22');
        await s.rename('/src', '/dst');
        await expectStorageError(s.stat('/src'), 'ENOENT');
        expect(await text('/dst/one.txt')).toBe('1');
        expect(await text('/dst/inner/two.txt')).toBe('22');
        expect((await listAll(s, '/dst')).map((e) => e.name)).toEqual(['inner', 'one.txt']);
      });

      it('rename over an existing file replaces it', async () => {
        await put('/from.txt', 'new');
        await put('/to.txt', 'old and longer');
        await s.rename('/from.txt', '/to.txt');
        expect(await text('/to.txt')).toBe('new');
        await expectStorageError(s.stat('/from.txt'), 'ENOENT');
      });

      it('rename of a missing path is ENOENT; into a missing dir ENOENT', async () => {
        await expectStorageError(s.rename('/nope', '/x'), 'ENOENT');
        await put('/f', 'x');
        await expectStorageError(s.rename('/f', '/missing/f'), 'ENOENT');
        expect(await text('/f')).toBe('x');
      });

      it('a file cannot replace a directory, nor a directory move into itself', async () => {
        await put('/f', 'x');
        await s.mkdir('/d');
        await put('/d/inner', 'y');
        await expectStorageError(s.rename('/f', '/d'), 'EISDIR', 'EEXIST', 'ENOTEMPTY');
        await expectStorageError(s.rename('/d', '/d/sub'), 'EINVAL', 'EACCES');
        await expectStorageError(s.rename('/d', '/f'), 'ENOTDIR', 'EEXIST');
        await s.mkdir('/other');
        await put('/other/z', 'z');
        await expectStorageError(s.rename('/d', '/other'), 'ENOTEMPTY', 'EEXIST');
        expect(await text('/d/inner')).toBe('y');
        expect(await text('/other/z')).toBe('z');
        expect(await text('/f')).toBe('x');
      });
    });

    }

    describe('awkward names', () => {
      if (readOnly) {
        it.each(AWKWARD_NAMES)('%j survives stat, list and read', async (n) => {
          const dir2 = `/dir ${n}`;
          const path = joinPath(dir2, n);
          await setup(dir(dir2), file(path, `content of ${n}`));
          expect(await s.stat(path)).toMatchObject({ name: n, path, type: 'file' });
          expect((await listAll(s, dir2)).map((e) => e.name)).toEqual([n]);
          expect((await listAll(s, '/')).map((e) => e.name)).toEqual([`dir ${n}`]);
          expect(await text(path)).toBe(`content of ${n}`);
        });
      } else {
      it.each(AWKWARD_NAMES)('%j survives write, stat, list, read, rename and delete', async (n) => {
        const dir = `/dir ${n}`;
        await s.mkdir(dir);
        const path = joinPath(dir, n);
        await put(path, `content of ${n}`);
        expect(await s.stat(path)).toMatchObject({ name: n, path, type: 'file' });
        expect((await listAll(s, dir)).map((e) => e.name)).toEqual([n]);
        expect((await listAll(s, '/')).map((e) => e.name)).toEqual([`dir ${n}`]);
        expect(await text(path)).toBe(`content of ${n}`);
        const moved = joinPath(dir, `${n}.moved`);
        await s.rename(path, moved);
        expect(await text(moved)).toBe(`content of ${n}`);
        await s.delete(moved);
        await s.rmdir(dir);
        expect(await listAll(s, '/')).toEqual([]);
      });
      }
    });

    if (readOnly) {
      describe('read-only', () => {
        it('refuses every change with EACCES or ENOTSUP and changes nothing', async () => {
          await setup(dir('/d'), dir('/d/sub'), file('/d/f.txt', 'keep'));
          const refused = ['EACCES', 'ENOTSUP'] as const;
          await expectStorageError(s.write('/d/f.txt', chunksOf('new')), ...refused);
          await expectStorageError(s.write('/d/new.txt', chunksOf('new')), ...refused);
          await expectStorageError(s.write('/d/f.txt', chunksOf('more'), { mode: 'append' }), ...refused);
          await expectStorageError(s.mkdir('/d/made'), ...refused);
          await expectStorageError(s.rmdir('/d/sub'), ...refused);
          await expectStorageError(s.delete('/d/f.txt'), ...refused);
          await expectStorageError(s.rename('/d/f.txt', '/d/g.txt'), ...refused);
          if (s.setMtime) await expectStorageError(s.setMtime('/d/f.txt', new Date(0)), ...refused);
          if (s.chmod) await expectStorageError(s.chmod('/d/f.txt', 0o600), ...refused);
          expect((await listAll(s, '/d')).map((e) => [e.name, e.type])).toEqual([
            ['f.txt', 'file'],
            ['sub', 'dir'],
          ]);
          expect(await text('/d/f.txt')).toBe('keep');
        });
      });
    }

    describe('optional members', () => {
      if (options.capabilities?.setMtime && !readOnly) {
        it('setMtime sets the modification time', async () => {
          await put('/t.txt', 'x');
          const when = new Date('2001-02-03T04:05:06Z');
          await s.setMtime?.('/t.txt', when);
          expect((await s.stat('/t.txt')).mtime.getTime()).toBe(when.getTime());
          await expectStorageError(s.setMtime?.('/missing', when) ?? Promise.resolve(), 'ENOENT');
        });
      }
      if (options.capabilities?.chmod && !readOnly) {
        it('chmod sets permission bits', async () => {
          await put('/p.txt', 'x');
          await s.chmod?.('/p.txt', 0o640);
          if (options.reportsMode) expect(((await s.stat('/p.txt')).mode ?? 0) & 0o777).toBe(0o640);
          await s.chmod?.('/p.txt', 0o644);
          if (options.reportsMode) expect(((await s.stat('/p.txt')).mode ?? 0) & 0o777).toBe(0o644);
          await expectStorageError(s.chmod?.('/missing', 0o600) ?? Promise.resolve(), 'ENOENT');
        });
      }
      if (options.capabilities?.chmod && !readOnly) {
        it('chmod never sets setuid, setgid or sticky: a mode above 0o777 is EINVAL and changes nothing', async () => {
          await put('/suid.bin', 'x');
          await s.mkdir('/sdir');
          await s.chmod?.('/suid.bin', 0o600);
          await s.chmod?.('/sdir', 0o700);
          for (const mode of [0o4755, 0o2755, 0o1777, 0o6777, 0o7777, 0o10000, -1, 1.5]) {
            await expectStorageError(s.chmod?.('/suid.bin', mode) ?? Promise.resolve(), 'EINVAL');
            await expectStorageError(s.chmod?.('/sdir', mode) ?? Promise.resolve(), 'EINVAL');
            await expectStorageError(s.chmod?.('/', mode) ?? Promise.resolve(), 'EINVAL');
          }
          if (options.reportsMode) {
            expect((await s.stat('/suid.bin')).mode).toBe(0o600);
            expect((await s.stat('/sdir')).mode).toBe(0o700);
            expect(((await s.stat('/')).mode ?? 0) & 0o7000).toBe(0);
          }
        });
      }
      if (options.capabilities?.chmod && options.capabilities.setMtime && !readOnly) {
        it('chmod leaves the modification time alone (as on a disk: only ctime changes)', async () => {
          await put('/pm.txt', 'x');
          const when = new Date('2020-01-02T03:04:05Z');
          await s.setMtime?.('/pm.txt', when);
          await s.chmod?.('/pm.txt', 0o600);
          expect((await s.stat('/pm.txt')).mtime.getTime()).toBe(when.getTime());
          if (options.reportsMode) expect(((await s.stat('/pm.txt')).mode ?? 0) & 0o777).toBe(0o600);
        });
      }
      it('error messages and codes never name a host path', async () => {
        try {
          await s.stat('/definitely/not/here');
        } catch (err) {
          expect(String((err as Error).message)).not.toMatch(/\/tmp\/|\/var\/|\/home\//);
        }
      });
    });
  });
}
