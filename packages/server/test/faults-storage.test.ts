import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageError, type StorageAdapter, type StorageErrorCode, type UploadMode } from '@ftpkit/storage';
import { localStorage } from '@ftpkit/storage-local';
import { memoryStorage } from '@ftpkit/storage-memory';
import { getFile, PASS, payload, putFile, sha256, startServer, USER, type Harness } from './harness.js';
import { bindAll, openFds, settle, stillServes, transferDown, transferUp } from './faults-support.js';
import { RawClient } from './raw-client.js';

/**
 * Wraps an adapter so that reads and writes of paths under `/fail/` die with `code` after `afterBytes`
 * bytes, as a failing disk (EIO) or a full one (ENOSPC) would, mid-stream.
 */
function failingStorage(inner: StorageAdapter, code: StorageErrorCode, afterBytes: number): StorageAdapter {
  const doomed = (path: string): boolean => path.startsWith('/fail/');
  return {
    ...bindAll(inner),
    async *read(path, opts) {
      let seen = 0;
      for await (const chunk of inner.read(path, opts)) {
        if (doomed(path) && seen + chunk.length > afterBytes) {
          if (afterBytes > seen) yield chunk.subarray(0, afterBytes - seen);
          throw new StorageError(code, `injected ${code} reading ${path}`);
        }
        seen += chunk.length;
        yield chunk;
      }
    },
    async write(path, data, opts) {
      if (!doomed(path)) return inner.write(path, data, opts);
      let seen = 0;
      let injected = false;
      async function* limited(): AsyncGenerator<Uint8Array> {
        for await (const chunk of data) {
          if (seen + chunk.length > afterBytes) {
            if (afterBytes > seen) yield chunk.subarray(0, afterBytes - seen);
            seen = afterBytes;
            injected = true;
            throw new StorageError(code, `injected ${code} writing ${path}`);
          }
          seen += chunk.length;
          yield chunk;
        }
      }
      try {
        return await inner.write(path, limited(), opts);
      } catch (err) {
        throw injected ? new StorageError(code, `injected ${code} writing ${path}`, { cause: err }) : err;
      }
    },
  };
}

let h: Harness | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const c of cleanups.splice(0)) c();
});

const K = 200 * 1024;

async function client(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.login(USER, PASS);
  return c;
}

/** Other sessions keep working while the failures happen: a whole upload and its download. */
async function healthyRoundTrip(port: number, name: string): Promise<void> {
  const c = await client(port);
  const body = payload(600 * 1024, 9);
  expect(await transferUp(c, `STOR /ok/${name}`, body)).toBe(226);
  const { data, replies } = await transferDown(c, `RETR /ok/${name}`);
  expect(replies).toEqual([226]);
  expect(sha256(data)).toBe(sha256(body));
  c.close();
}

describe('fault injection: storage failing mid-stream', () => {
  for (const [code, replies] of [
    ['EIO', [451, 426]],
    ['ENOSPC', [452, 426]],
  ] as const) {
    for (const mode of ['atomic', 'resumable'] as UploadMode[]) {
      it(`${code} after ${K / 1024} KiB of a STOR (${mode}): ${replies.join('/')}, never 226; partial data per mode; others keep being served`, async () => {
        const memory = memoryStorage();
        await memory.mkdir('/fail');
        await memory.mkdir('/ok');
        h = await startServer('memory', { storage: failingStorage(memory, code, K), uploadMode: mode });
        const fds = openFds();
        const old = payload(50 * 1024, 2);
        await putFile(memory, '/fail/f.bin', old);
        const body = payload(2 * 1024 * 1024, 3);
        const c = await client(h.port);
        const [verdict] = await Promise.all([transferUp(c, 'STOR /fail/f.bin', body), healthyRoundTrip(h.port, 'a.bin'), healthyRoundTrip(h.port, 'b.bin')]);
        expect(replies).toContain(verdict);
        expect(verdict).not.toBe(226);
        // The session goes on after the failure.
        expect((await c.cmd('NOOP')).code).toBe(200);
        c.close();
        const now = await getFile(memory, '/fail/f.bin');
        if (mode === 'atomic') expect(now.equals(old)).toBe(true);
        else {
          expect(now.length).toBeLessThanOrEqual(K);
          expect(now.equals(body.subarray(0, now.length))).toBe(true);
        }
        await stillServes(h.port);
        expect((await settle(h.server, fds)).connections).toBe(0);
      });
    }
  }

  it(`EIO after ${K / 1024} KiB of a RETR: 451/426, never 226; others keep being served`, async () => {
    const memory = memoryStorage();
    await memory.mkdir('/fail');
    await memory.mkdir('/ok');
    h = await startServer('memory', { storage: failingStorage(memory, 'EIO', K) });
    await putFile(memory, '/fail/big.bin', payload(3 * 1024 * 1024, 6));
    const c = await client(h.port);
    const [{ data, replies }] = await Promise.all([transferDown(c, 'RETR /fail/big.bin'), healthyRoundTrip(h.port, 'c.bin')]);
    expect(replies[0] === 451 || replies[0] === 426).toBe(true);
    expect(data.length).toBeLessThanOrEqual(K);
    c.close();
    await stillServes(h.port);
  });
});

/** Mount a 1 MiB tmpfs (needs root); undefined where the machine does not allow it. */
function smallTmpfs(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'ftpkit-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  cleanups.push(() => {
    spawnSync('umount', [dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

describe('fault injection: disk full on local storage', () => {
  for (const mode of ['atomic', 'resumable'] as UploadMode[]) {
    it(`452 and partial data per mode (${mode})`, async () => {
      // A real full disk where `mount -t tmpfs` works (root); elsewhere (no root, most CI) a
      // local directory behind the injecting wrapper, which fails with ENOSPC as the disk would.
      const tmpfs = smallTmpfs();
      const root = tmpfs ?? mkdtempSync(join(tmpdir(), 'ftpkit-full-'));
      if (tmpfs === undefined) cleanups.push(() => rmSync(root, { recursive: true, force: true }));
      const local = localStorage({ root });
      await local.mkdir('/fail');
      const storage = tmpfs === undefined ? failingStorage(local, 'ENOSPC', 512 * 1024) : local;
      h = await startServer('memory', { storage, uploadMode: mode });
      const old = payload(100 * 1024, 7);
      await putFile(local, '/fail/f.bin', old);
      const body = payload(3 * 1024 * 1024, 8);
      const c = await client(h.port);
      const verdict = await transferUp(c, 'STOR /fail/f.bin', body);
      expect(verdict).toBe(452);
      c.close();
      const now = await getFile(local, '/fail/f.bin');
      if (mode === 'atomic') {
        expect(now.equals(old)).toBe(true);
        expect(readdirSync(join(root, 'fail'))).toEqual(['f.bin']);
      } else {
        expect(now.length).toBeGreaterThan(0);
        expect(now.length).toBeLessThan(body.length);
        expect(now.equals(body.subarray(0, now.length))).toBe(true);
      }
      // The space is usable again once the file is gone: the server did not wedge.
      const again = await client(h.port);
      expect((await again.cmd('DELE /fail/f.bin')).code).toBe(250);
      expect(await transferUp(again, 'STOR /fail/small.bin', payload(64 * 1024, 1))).toBe(226);
      again.close();
    });
  }
});
