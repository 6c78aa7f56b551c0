import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StorageAdapter } from '@ftpkit/storage';
import { memoryStorage } from '@ftpkit/storage-memory';
import { localStorage } from '@ftpkit/storage-local';
import { PASS, putFile, startServer, tempDir, USER, type Harness } from './harness.js';
import { pasvPort, RawClient } from './raw-client.js';

/** Memory storage that reports every read() and openRead() it is asked for. */
function watchedStorage(): { storage: StorageAdapter; reads: string[]; stats: string[] } {
  const inner = memoryStorage();
  const reads: string[] = [];
  const stats: string[] = [];
  const storage: StorageAdapter = Object.assign(Object.create(inner) as StorageAdapter, {
    read: (path: string, opts?: Parameters<StorageAdapter['read']>[1]) => {
      reads.push(path);
      return inner.read(path, opts);
    },
    openRead: (path: string, opts?: Parameters<StorageAdapter['read']>[1]) => {
      reads.push(path);
      return inner.openRead?.(path, opts);
    },
    stat: (path: string) => {
      stats.push(path);
      return inner.stat(path);
    },
  });
  return { storage, reads, stats };
}

async function until(check: () => boolean, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return check();
}

function dataSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

function body(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    s.setEncoding('utf8').on('data', (d: string) => (text += d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(text));
  });
}

/** Descriptors of this process open on something below `dir`. */
function fdsUnder(dir: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++;
    } catch {
      // Closed while we looked.
    }
  }
  return n;
}

// Issue 18: the file is read while the data connection is accepted, not after.
describe('RETR read-ahead', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('reads the file before the client opens the data connection, then sends it whole', async () => {
    const { storage, reads } = watchedStorage();
    h = await startServer('memory', { storage });
    await putFile(storage, '/f.txt', new TextEncoder().encode('early bytes'));
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      const { port } = pasvPort((await c.cmd('PASV')).text);
      c.send('RETR /f.txt');
      // The data connection is not there yet: the read has started anyway.
      expect(await until(() => reads.length > 0)).toBe(true);
      const s = await dataSocket(port);
      const text = body(s);
      expect((await c.next())?.code).toBe(150);
      expect(await text).toBe('early bytes');
      expect((await c.next())?.code).toBe(226);
    } finally {
      c.close();
    }
  });

  it('on storage that opens for reading, RETR opens the file once for its facts and its bytes (no stat)', async () => {
    const { storage, reads, stats } = watchedStorage();
    h = await startServer('memory', { storage });
    await putFile(storage, '/f.txt', new TextEncoder().encode('one open'));
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      expect((await c.retr('/f.txt')).toString()).toBe('one open');
      expect({ reads, stats }).toEqual({ reads: ['/f.txt'], stats: [] });
    } finally {
      c.close();
    }
  });

  it('with authorize, nothing is opened before it decided: a refused download reads nothing', async () => {
    const { storage, reads } = watchedStorage();
    const asked: string[] = [];
    h = await startServer('memory', {
      storage,
      authorize: ({ operation, path }) => {
        asked.push(`${operation} ${path}`);
        return reads.length === 0 ? 'deny' : 'allow';
      },
    });
    await putFile(storage, '/f.txt', new TextEncoder().encode('secret'));
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      expect((await c.cmd('PASV')).code).toBe(227);
      expect((await c.cmd('RETR /f.txt')).code).toBe(550);
      expect({ asked, reads }).toEqual({ asked: ['download /f.txt'], reads: [] });
    } finally {
      c.close();
    }
  });

  for (const refused of ['a directory', 'a REST past the end'] as const) {
    it(`RETR of ${refused} is refused before the 150 and leaves the file free (local disk)`, async () => {
      const root = tempDir();
      writeFileSync(join(root, 'f.bin'), 'old');
      h = await startServer('local', { storage: localStorage({ root }), limits: { pathLockWaitMs: 100, dataTimeoutMs: 10_000 } });
      const reader = await RawClient.connect(h.port);
      const writer = await RawClient.connect(h.port);
      try {
        await reader.login(USER, PASS);
        await writer.login(USER, PASS);
        expect((await reader.cmd('PASV')).code).toBe(227);
        if (refused === 'a directory') {
          expect((await reader.cmd('MKD /d')).code).toBe(257);
          expect((await reader.cmd('RETR /d')).code).toBe(550);
        } else {
          expect((await reader.cmd('REST 50')).code).toBe(350);
          expect((await reader.cmd('RETR /f.bin')).code).toBe(554);
        }
        expect(await until(() => fdsUnder(root) === 0, 1_000)).toBe(true);
        // The reader's session goes on; a writer does not wait behind a read that never comes.
        const { port } = pasvPort((await writer.cmd('PASV')).text);
        writer.send('STOR /f.bin');
        const s = await dataSocket(port);
        expect((await writer.next())?.code).toBe(150);
        s.end('new');
        expect((await writer.next())?.code).toBe(226);
      } finally {
        reader.close();
        writer.close();
      }
    });
  }

  it('an ABOR before the data connection gives the file back: another session overwrites it at once', async () => {
    const { storage } = watchedStorage();
    h = await startServer('memory', { storage, limits: { pathLockWaitMs: 200, dataTimeoutMs: 10_000 } });
    await putFile(storage, '/f.txt', new TextEncoder().encode('old'));
    const reader = await RawClient.connect(h.port);
    const writer = await RawClient.connect(h.port);
    try {
      await reader.login(USER, PASS);
      await writer.login(USER, PASS);
      expect((await reader.cmd('PASV')).code).toBe(227);
      reader.send('RETR /f.txt');
      // Let the read-ahead take its lock, then give up on the transfer before connecting.
      await new Promise((r) => setTimeout(r, 100));
      const abor = await reader.cmd('ABOR');
      expect([225, 226, 425, 426]).toContain(abor.code);
      const { port } = pasvPort((await writer.cmd('PASV')).text);
      writer.send('STOR /f.txt');
      const s = await dataSocket(port);
      expect((await writer.next())?.code).toBe(150);
      s.end('new');
      expect((await writer.next())?.code).toBe(226);
    } finally {
      reader.close();
      writer.close();
    }
  });

  it('a data connection that never comes releases the file after the data timeout (425)', async () => {
    const { storage } = watchedStorage();
    h = await startServer('memory', { storage, limits: { pathLockWaitMs: 100, dataTimeoutMs: 300 } });
    await putFile(storage, '/f.txt', new TextEncoder().encode('old'));
    const reader = await RawClient.connect(h.port);
    const writer = await RawClient.connect(h.port);
    try {
      await reader.login(USER, PASS);
      await writer.login(USER, PASS);
      expect((await reader.cmd('PASV')).code).toBe(227);
      expect((await reader.cmd('RETR /f.txt')).code).toBe(425);
      const { port } = pasvPort((await writer.cmd('PASV')).text);
      writer.send('STOR /f.txt');
      const s = await dataSocket(port);
      expect((await writer.next())?.code).toBe(150);
      s.end('new');
      expect((await writer.next())?.code).toBe(226);
    } finally {
      reader.close();
      writer.close();
    }
  });

  it('RETRs whose data connection never comes, or that are aborted first, leave no file open (local disk)', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'f.bin'), Buffer.alloc(300_000, 1));
    h = await startServer('local', { storage: localStorage({ root }), limits: { dataTimeoutMs: 150 } });
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      for (let i = 0; i < 6; i++) {
        expect((await c.cmd('PASV')).code).toBe(227);
        if (i % 2 === 0) expect((await c.cmd('RETR /f.bin')).code).toBe(425);
        else {
          c.send('RETR /f.bin');
          await new Promise((r) => setTimeout(r, 20));
          // The RETR's own failure (425/426), then ABOR's reply (225/226).
          const first = await c.cmd('ABOR');
          const last = first.code >= 400 ? await c.next() : first;
          expect([225, 226]).toContain(last?.code);
        }
        // Closed when the transfer gives up, not whenever a garbage collection finds the handle.
        expect(await until(() => fdsUnder(root) === 0, 1_000), `round ${i}`).toBe(true);
      }
      // And the file still comes whole afterwards.
      expect((await c.retr('/f.bin')).length).toBe(300_000);
    } finally {
      c.close();
    }
  });
});
