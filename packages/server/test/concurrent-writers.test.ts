import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@ftpkit/session';
import type { UploadMode } from '@ftpkit/storage';
import { localStorage } from '@ftpkit/storage-local';
import { getFile, PASS, payload, putFile, sha256, startServer, USER, type Harness, type StorageKind } from './harness.js';
import { openTransfer, sleep, transferDown, transferUp } from './faults-support.js';
import { RawClient } from './raw-client.js';

// Issue 15.3: two sessions on one file. A slow uploader is a raw socket that sends part of its
// file and stalls; meanwhile another session uploads, downloads, deletes or renames the same name.
// Whatever the order, no 226 may stand for bytes that are not one complete upload.

let h: Harness | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await h?.close();
  h = undefined;
});

async function login(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  await c.login(USER, PASS);
  return c;
}

/** A STOR that has sent `first` bytes and stalls until `finish()` sends the rest. */
async function stalledUpload(port: number, name: string, bytes: Uint8Array, first: number): Promise<{ finish(): Promise<number> }> {
  const c = await login(port);
  const data = await openTransfer(c, `STOR ${name}`);
  await new Promise<void>((r) => data.write(bytes.subarray(0, first), () => r()));
  // Let the server take in what was sent (and, in resumable mode, write it to the file).
  await sleep(300);
  return {
    async finish() {
      await new Promise<void>((r) => data.end(bytes.subarray(first), () => r()));
      const reply = await c.next(30_000);
      data.destroy();
      return reply?.code ?? 0;
    },
  };
}

async function started(kind: StorageKind, mode: UploadMode, pathLockWaitMs: number): Promise<Harness> {
  h = await startServer(kind, { uploadMode: mode, limits: { loginFailureDelayMs: 10, dataTimeoutMs: 10_000, pathLockWaitMs } });
  return h;
}

const MiB = 1024 * 1024;

for (const kind of ['local', 'memory'] as StorageKind[]) {
  for (const mode of ['resumable', 'atomic'] as UploadMode[]) {
    describe(`one file, two sessions (${kind}, ${mode})`, () => {
      it('two STORs to one name: the second waits, and the file is one complete upload with a 226', async () => {
        const h = await started(kind, mode, 20_000);
        await putFile(h.storage, '/f.bin', payload(256 * 1024, 9));
        const first = payload(3 * MiB, 1);
        const second = payload(1 * MiB, 2);
        const a = await stalledUpload(h.port, 'f.bin', first, 1 * MiB);
        const b = transferUp(await login(h.port), 'STOR f.bin', second);
        await sleep(300);
        const codes = { first: await a.finish(), second: await b };
        const stored = sha256(await getFile(h.storage, '/f.bin'));
        const complete = { [sha256(first)]: 'first', [sha256(second)]: 'second' } as const;
        const which = complete[stored];
        expect(which, `the file is neither upload (replies ${JSON.stringify(codes)})`).toBeDefined();
        expect(codes[which!]).toBe(226);
        for (const code of Object.values(codes)) expect([226, 450]).toContain(code);
        // The waiting upload went second, after the first was complete.
        expect(codes).toEqual({ first: 226, second: 226 });
        expect(which).toBe('second');
      });

      it('a second STOR that cannot wait long enough gets 450 and the first upload stands', async () => {
        const h = await started(kind, mode, 200);
        const first = payload(2 * MiB, 3);
        const a = await stalledUpload(h.port, 'f.bin', first, 512 * 1024);
        const second = await transferUp(await login(h.port), 'STOR f.bin', payload(256 * 1024, 4));
        const firstCode = await a.finish();
        expect({ firstCode, second }).toEqual({ firstCode: 226, second: 450 });
        expect(sha256(await getFile(h.storage, '/f.bin'))).toBe(sha256(first));
      });

      it('RETR during a STOR: 450 at once while the file is rewritten in place, the old file whole while it is replaced atomically', async () => {
        const h = await started(kind, mode, 20_000);
        const old = payload(2 * MiB, 5);
        const next = payload(3 * MiB, 6);
        await putFile(h.storage, '/f.bin', old);
        const a = await stalledUpload(h.port, 'f.bin', next, 1 * MiB);
        // With a 20 s wait, a reply before the upload goes on shows that the reader did not wait.
        const got = await transferDown(await login(h.port), 'RETR f.bin');
        if (mode === 'atomic') {
          expect(got.replies).toEqual([226]);
          expect(sha256(got.data)).toBe(sha256(old));
        } else {
          expect(got.replies).toEqual([450]);
          expect(got.data.length).toBe(0);
        }
        expect(await a.finish()).toBe(226);
        expect(sha256(await getFile(h.storage, '/f.bin'))).toBe(sha256(next));
      });

      it('STOR during a stalled RETR: the reader gets the old file whole, then the upload lands', async () => {
        const h = await started(kind, mode, 20_000);
        const old = payload(16 * MiB, 16);
        const next = payload(1 * MiB, 17);
        await putFile(h.storage, '/f.bin', old);
        const reader = await login(h.port);
        const data = await openTransfer(reader, 'RETR f.bin');
        // The reader stops reading: the server stalls mid-file once the socket buffers are full.
        data.pause();
        const chunks: Buffer[] = [];
        data.on('data', (d: Buffer) => chunks.push(d));
        await sleep(300);
        const upload = transferUp(await login(h.port), 'STOR f.bin', next);
        await sleep(500);
        const closed = new Promise<void>((r) => data.once('close', () => r()));
        data.resume();
        await closed;
        expect((await reader.next(30_000))?.code).toBe(226);
        expect(sha256(Buffer.concat(chunks))).toBe(sha256(old));
        expect(await upload).toBe(226);
        expect(sha256(await getFile(h.storage, '/f.bin'))).toBe(sha256(next));
      });

      it('DELE, RNTO onto and RNFR of a file being written get 450; the upload completes', async () => {
        const h = await started(kind, mode, 200);
        const next = payload(2 * MiB, 10);
        const other = payload(64 * 1024, 11);
        await putFile(h.storage, '/other.bin', other);
        const a = await stalledUpload(h.port, 'f.bin', next, 512 * 1024);
        const c = await login(h.port);
        expect((await c.cmd('DELE f.bin')).code).toBe(450);
        expect((await c.cmd('RNFR other.bin')).code).toBe(350);
        expect((await c.cmd('RNTO f.bin')).code).toBe(450);
        if (mode === 'resumable') {
          // In resumable mode the file exists while written, so RNFR accepts it.
          expect((await c.cmd('RNFR f.bin')).code).toBe(350);
          expect((await c.cmd('RNTO g.bin')).code).toBe(450);
        }
        expect(await a.finish()).toBe(226);
        expect(sha256(await getFile(h.storage, '/f.bin'))).toBe(sha256(next));
        expect(sha256(await getFile(h.storage, '/other.bin'))).toBe(sha256(other));
      });

      it('DELE of a file being written waits for the upload to end, then deletes it', async () => {
        const h = await started(kind, mode, 20_000);
        await putFile(h.storage, '/f.bin', payload(64 * 1024, 13));
        const a = await stalledUpload(h.port, 'f.bin', payload(2 * MiB, 12), 512 * 1024);
        const c = await login(h.port);
        c.send('DELE f.bin');
        await sleep(500);
        // Not carried out while the upload stalls (the upload would be lost behind its 226, or
        // land after the DELE's 250 as if it had never been deleted).
        await expect(h.storage.stat('/f.bin')).resolves.toMatchObject({ type: 'file' });
        const ended = await a.finish();
        expect(ended).toBe(226);
        expect((await c.next(30_000))?.code).toBe(250);
        await expect(h.storage.stat('/f.bin')).rejects.toMatchObject({ code: 'ENOENT' });
      });
    });
  }
}

describe('one file, two users with their own adapters', () => {
  it('a fresh adapter per login, roots nested: the same file is one lock', async () => {
    let root = '';
    h = await startServer('local', {
      limits: { loginFailureDelayMs: 10, dataTimeoutMs: 10_000, pathLockWaitMs: 200 },
      authenticate: (user, password): (SessionUser & { root: string }) | null => {
        if (password !== PASS) return null;
        if (user === USER) return { name: USER, root };
        if (user === 'bob') return { name: 'bob', root: join(root, 'pub') };
        return null;
      },
      storage: (user: SessionUser & { root?: string }) => localStorage({ root: user.root ?? root }),
    });
    root = h.root!;
    mkdirSync(join(root, 'pub'));
    const first = payload(2 * MiB, 14);
    const a = await stalledUpload(h.port, 'pub/f.bin', first, 512 * 1024);
    const bob = await RawClient.connect(h.port);
    clients.push(bob);
    await bob.login('bob', PASS);
    expect(await transferUp(bob, 'STOR f.bin', payload(128 * 1024, 15))).toBe(450);
    expect(await a.finish()).toBe(226);
    expect(sha256(readFileSync(join(root, 'pub', 'f.bin')))).toBe(sha256(first));
  });
});
