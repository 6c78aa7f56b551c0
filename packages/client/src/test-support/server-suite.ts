import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestFtpServer } from '@ftpkit/test-servers';
import { FtpAbortError, FtpLocalError, FtpReplyError } from '../errors.js';
import type { FtpReplyReason } from '../reply-reason.js';
import { FtpClient } from '../node/ftp-client.js';
import { FtpPool } from '../node/ftp-pool.js';
import { mirror } from '../node/mirror.js';
import { downloadSegmented } from '../node/segmented-download.js';
import type { FtpClientOptions } from '../node/options.js';

const exec = promisify(execFile);

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

/** A file of `size` pseudo-random bytes (written in 1 MiB blocks). */
export async function makeFile(path: string, size: number): Promise<void> {
  const block = randomBytes(Math.min(size, 1024 * 1024));
  const parts: Buffer[] = [];
  for (let left = size; left > 0; left -= block.length) parts.push(left >= block.length ? block : block.subarray(0, left));
  await writeFile(path, Buffer.concat(parts));
}

/** A tree of `count` files with nested directories and awkward names. */
export async function makeTree(root: string, count: number): Promise<void> {
  const dirs = ['', 'a', 'a/b', 'a/b/c d', 'spaced dir', 'ünïcödé', 'x-y_z.1', "quote's", 'hash#pct%', 'a/b/c d/deep'];
  for (const d of dirs) await mkdir(join(root, d), { recursive: true });
  for (let i = 0; i < count; i++) {
    const d = dirs[i % dirs.length] ?? '';
    const names = [`file${i}.txt`, `name with spaces ${i}`, `ünï-${i}.bin`, `semi;colon ${i}`, `br[ack]et ${i}`, `-dash${i}`];
    const name = names[i % names.length] ?? `f${i}`;
    await writeFile(join(root, d, name), randomBytes(i % 7 === 0 ? 0 : (i * 37) % 5000));
  }
}

export interface SuiteConfig {
  name: string;
  have: () => boolean | Promise<boolean>;
  start: () => Promise<TestFtpServer & { uid?: number; gid?: number }>;
  /** Which (tls, mode) combinations get the 50 MiB round trip. */
  bigFile: Array<{ tls: boolean; mode: 'passive' | 'active' }>;
  /** Run the 200-file mirror both ways. */
  mirror: boolean;
  /** `FtpReplyError.reason` of a RETR of a missing file: what this server's 550 wording allows. */
  missingFileReason: FtpReplyReason | undefined;
}

/** The shared suite every third-party server passes. */
export function serverSuite(cfg: SuiteConfig): void {
  describe(cfg.name, () => {
    let server: (TestFtpServer & { uid?: number; gid?: number }) | undefined;
    let work = '';
    beforeAll(async () => {
      if (!(await cfg.have())) return;
      server = await cfg.start();
      work = await mkdtemp(join(tmpdir(), `ftpkit-client-${cfg.name}-`));
    });
    afterAll(async () => {
      await server?.stop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    const connect = (tls: boolean, mode: 'passive' | 'active', extra: Partial<FtpClientOptions> = {}): Promise<FtpClient> => {
      const s = server!;
      return FtpClient.connect({
        host: s.host, port: s.port, user: s.user, password: s.password, mode,
        ...(tls ? { secure: 'explicit' as const, ca: s.ca ?? '' } : {}),
        dataTimeout: 10_000, replyTimeout: 10_000, ...extra,
      });
    };

    const combos: Array<[boolean, 'passive' | 'active']> = [[false, 'passive'], [false, 'active'], [true, 'passive'], [true, 'active']];
    describe.each(combos)('tls=%s %s', (tls, mode) => {
      it('uploads and downloads 0 B, 1 B and 100 KiB files intact (sha256), lists, renames, removes', async () => {
        if (!server) return;
        const dir = join(work, `basic-${tls}-${mode}`);
        await mkdir(dir, { recursive: true });
        const c = await connect(tls, mode);
        try {
          expect(c.secure).toBe(tls);
          const rdir = `/basic-${tls}-${mode}`;
          await c.mkdir(rdir);
          for (const size of [0, 1, 100 * 1024]) {
            const src = join(dir, `src-${size}`);
            const back = join(dir, `back-${size}`);
            await makeFile(src, size);
            await c.upload(src, `${rdir}/f-${size}`);
            expect(await c.size(`${rdir}/f-${size}`)).toBe(size);
            await c.download(`${rdir}/f-${size}`, back);
            expect(await sha256File(back)).toBe(await sha256File(src));
          }
          const names = (await c.list(rdir)).map((e) => e.name).sort();
          expect(names).toEqual(['f-0', 'f-1', 'f-102400']);
          await c.rename(`${rdir}/f-1`, `${rdir}/renamed`);
          const after = await c.list(rdir);
          expect(after.find((e) => e.name === 'renamed')?.size).toBe(1);
          await c.removeDir(rdir, { recursive: true });
          await expect(c.list(rdir)).rejects.toBeInstanceOf(FtpReplyError);
        } finally {
          await c.close();
        }
      });
    });

    it('answers stat, size, lastModified, features, send, cd, pwd and mkdir -p', async () => {
      if (!server) return;
      const c = await connect(false, 'passive');
      try {
        expect(c.features.size).toBeGreaterThan(0);
        expect((await c.send('SYST')).code).toBe(215);
        expect((await c.send('NOSUCHVERB')).code).toBeGreaterThanOrEqual(500);
        await c.mkdir('/meta/a b/c', { recursive: true });
        await c.mkdir('/meta/a b/c', { recursive: true });
        await expect(c.mkdir('/meta/a b/c')).rejects.toBeInstanceOf(FtpReplyError);
        expect(await c.cd('/meta/a b')).toBe('/meta/a b');
        expect(await c.pwd()).toBe('/meta/a b');
        await c.upload(Readable.from([Buffer.from('12345')]), 'five.txt');
        expect(await c.size('five.txt')).toBe(5);
        const when = await c.lastModified('five.txt');
        expect(Math.abs(when.getTime() - Date.now())).toBeLessThan(120_000);
        expect(await c.stat('/meta/a b/five.txt')).toMatchObject({ name: 'five.txt', type: 'file', size: 5 });
        expect(await c.stat('/meta/a b/c')).toMatchObject({ type: 'dir' });
        await expect(c.stat('/meta/missing')).rejects.toBeInstanceOf(FtpReplyError);
        const err = await c.download('/meta/missing', join(work, 'missing')).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(FtpReplyError);
        expect((err as FtpReplyError).replyCode).toBe(550);
        expect((err as FtpReplyError).reason).toBe(cfg.missingFileReason);
        // A failed download creates nothing and leaves an existing file as it was.
        expect(existsSync(join(work, 'missing'))).toBe(false);
        await writeFile(join(work, 'precious'), 'precious bytes');
        await expect(c.download('/meta/missing', join(work, 'precious'))).rejects.toBeInstanceOf(FtpReplyError);
        await expect(c.download('/meta/missing', join(work, 'precious'), { resume: true })).rejects.toBeInstanceOf(FtpReplyError);
        expect(await readFile(join(work, 'precious'), 'utf8')).toBe('precious bytes');
        expect((await readdir(work)).filter((f) => f.includes('.ftpkit-'))).toEqual([]);
        // A missing local directory is refused before anything is transferred, unless createDirs.
        const nowhere = join(work, 'no', 'dir', 'five.txt');
        await expect(c.download('/meta/a b/five.txt', nowhere)).rejects.toBeInstanceOf(FtpLocalError);
        expect(existsSync(join(work, 'no'))).toBe(false);
        await c.download('/meta/a b/five.txt', nowhere, { createDirs: true });
        expect(await readFile(nowhere, 'utf8')).toBe('12345');
        await c.cd('/');
        await c.removeDir('/meta', { recursive: true });
      } finally {
        await c.close();
      }
    });

    it('runs parallel uploads and downloads over a pool of connections', async () => {
      if (!server) return;
      const s = server;
      const pool = FtpPool.of({ host: s.host, port: s.port, user: s.user, password: s.password }, 3);
      try {
        const items = Array.from({ length: 6 }, (_, i) => i);
        const blobs = items.map((i) => randomBytes(50_000 + i));
        await pool.map(items, (c, i) => c.upload(Readable.from([blobs[i]!]), `/pool-${i}.bin`));
        const back = await pool.map(items, async (c, i) => {
          const chunks: Buffer[] = [];
          const sink = new PassThrough();
          sink.on('data', (d: Buffer) => chunks.push(d));
          await c.download(`/pool-${i}.bin`, sink);
          await c.remove(`/pool-${i}.bin`);
          return Buffer.concat(chunks);
        });
        back.forEach((b, i) => expect(b.equals(blobs[i]!)).toBe(true));
      } finally {
        await pool.close();
      }
    });

    for (const big of cfg.bigFile) {
      it(`moves 50 MiB both ways intact (tls=${big.tls} ${big.mode})`, async () => {
        if (!server) return;
        const src = join(work, `big-${big.tls}-${big.mode}`);
        await makeFile(src, 50 * 1024 * 1024);
        const c = await connect(big.tls, big.mode);
        try {
          let last = 0;
          await c.upload(src, `/big-${big.tls}-${big.mode}`, { onProgress: (p) => { last = p.bytes; } });
          expect(last).toBe(50 * 1024 * 1024);
          await c.download(`/big-${big.tls}-${big.mode}`, `${src}.back`);
          expect(await sha256File(`${src}.back`)).toBe(await sha256File(src));
          await c.remove(`/big-${big.tls}-${big.mode}`);
        } finally {
          await c.close();
          await rm(src, { force: true });
          await rm(`${src}.back`, { force: true });
        }
      });
    }

    it('resumes a download and an upload from where they stopped', async () => {
      if (!server) return;
      const src = join(work, 'resume-src');
      await makeFile(src, 3 * 1024 * 1024 + 17);
      const c = await connect(false, 'passive');
      try {
        // Upload: put the first 1 MiB, then resume the rest.
        const head = (await readFile(src)).subarray(0, 1024 * 1024);
        await c.upload(Readable.from([head]), '/resume.bin');
        expect(await c.size('/resume.bin')).toBe(1024 * 1024);
        const up = await c.upload(src, '/resume.bin', { resume: true });
        expect(up.offset).toBe(1024 * 1024);
        expect(up.bytes).toBe(2 * 1024 * 1024 + 17);
        // Download: keep a partial local copy, then continue it.
        const local = join(work, 'resume-local');
        await c.download('/resume.bin', local);
        await truncate(local, 777_777);
        const down = await c.download('/resume.bin', local, { resume: true });
        expect(down.offset).toBe(777_777);
        expect(await sha256File(local)).toBe(await sha256File(src));
        // To a Writable from an offset.
        const pt = new PassThrough();
        const chunks: Buffer[] = [];
        pt.on('data', (d: Buffer) => chunks.push(d));
        await c.download('/resume.bin', pt, { offset: 3 * 1024 * 1024 });
        expect(Buffer.concat(chunks)).toEqual((await readFile(src)).subarray(3 * 1024 * 1024));
      } finally {
        await c.close();
      }
    });

    it('aborts a download mid-transfer with ABOR and stays usable', async () => {
      if (!server) return;
      const src = join(work, 'abort-src');
      await makeFile(src, 20 * 1024 * 1024);
      const c = await connect(true, 'passive');
      try {
        await c.upload(src, '/abort.bin');
        const ac = new AbortController();
        const sink = new PassThrough();
        let got = 0;
        sink.on('data', (d: Buffer) => { got += d.length; if (got > 1024 * 1024) ac.abort(); });
        await expect(c.download('/abort.bin', sink, { signal: ac.signal })).rejects.toBeInstanceOf(FtpAbortError);
        expect(got).toBeLessThan(20 * 1024 * 1024);
        // The control connection is in step: the next command gets its own reply.
        expect(await c.size('/abort.bin')).toBe(20 * 1024 * 1024);
        const names = (await c.list('/')).map((e) => e.name);
        expect(names).toContain('abort.bin');
      } finally {
        await c.close();
      }
    });

    it('downloads one file in 4 segments over 4 connections (TLS, session reuse)', async () => {
      if (!server) return;
      const src = join(work, 'seg-src');
      await makeFile(src, 9 * 1024 * 1024 + 3);
      const c = await connect(true, 'passive');
      try {
        await c.upload(src, '/seg.bin');
        const r = await downloadSegmented(c, '/seg.bin', join(work, 'seg-out'), { segments: 4 });
        expect(r.segments).toBe(4);
        expect(await sha256File(join(work, 'seg-out'))).toBe(await sha256File(src));
        expect(await c.size('/seg.bin')).toBe(9 * 1024 * 1024 + 3);
      } finally {
        await c.close();
      }
    });

    if (cfg.mirror) {
      it('mirrors a 200-file tree up and back down (diff -r clean), then only what changed', async () => {
        if (!server) return;
        const tree = join(work, 'tree');
        const down = join(work, 'tree-down');
        await makeTree(tree, 200);
        const c = await connect(false, 'passive');
        try {
          const up = await mirror(c, '/mirror', tree, { direction: 'upload', parallel: 4 });
          expect(up.actions.filter((a) => a.type === 'transfer')).toHaveLength(200);
          const dl = await mirror(c, '/mirror', down, { direction: 'download', parallel: 4 });
          expect(dl.actions.filter((a) => a.type === 'transfer')).toHaveLength(200);
          await exec('diff', ['-r', tree, down]);
          // Nothing differs now: a second run transfers nothing.
          const again = await mirror(c, '/mirror', down, { direction: 'download', parallel: 2 });
          expect(again.actions.filter((a) => a.type === 'transfer')).toHaveLength(0);
          // A changed file and a deleted file.
          await writeFile(join(tree, 'a', 'file1.txt'), 'changed!');
          await rm(join(tree, 'spaced dir'), { recursive: true });
          const up2 = await mirror(c, '/mirror', tree, { direction: 'upload', parallel: 2, delete: true });
          expect(up2.actions.filter((a) => a.type === 'transfer').map((a) => a.path)).toEqual(['a/file1.txt']);
          const dry = await mirror(c, '/mirror', down, { direction: 'download', delete: true, dryRun: true });
          expect(dry.actions.some((a) => a.type === 'delete' && a.path === 'spaced dir')).toBe(true);
          await mirror(c, '/mirror', down, { direction: 'download', delete: true, parallel: 3 });
          await exec('diff', ['-r', tree, down]);
          expect((await stat(join(down, 'a', 'file1.txt'))).size).toBe(8);
        } finally {
          await c.close();
        }
      });
    }
  });
}
