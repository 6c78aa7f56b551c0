import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StorageAdapter, UploadMode } from '@ftpkit/storage';
import { memoryStorage } from '@ftpkit/storage-memory';
import type { TransferEndEvent } from '../src/index.js';
import { getFile, PASS, payload, putFile, requireProgram, startServer, tempDir, USER, type Harness } from './harness.js';
import { bindAll, openFds, openTransfer, settle, sleep, stillServes, transferUp } from './faults-support.js';
import { pasvPort, RawClient } from './raw-client.js';

// A killed client: its sockets are reset (RST), as when the process dies with data unread or the
// network drops; a plain FIN on a data connection is a complete upload in stream mode (RFC 959 §3.4.1).

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function started(kind: 'memory' | 'local', overrides: Parameters<typeof startServer>[1] = {}): Promise<{ h: Harness; fds: number }> {
  h = await startServer(kind, overrides);
  // One whole session first, so lazily made things (storage handles, caches) are in the baseline.
  await stillServes(h.port);
  await settle(h.server, Number.MAX_SAFE_INTEGER);
  return { h, fds: openFds() };
}

function nextTransferEnd(server: Harness['server']): Promise<TransferEndEvent> {
  return new Promise((resolve) => server.once('transfer-end', resolve));
}

async function expectRecovered(server: Harness, fds: number): Promise<void> {
  const after = await settle(server.server, fds);
  expect(after.connections).toBe(0);
  expect(after.fds).toBeLessThanOrEqual(fds);
  await stillServes(server.port);
}

describe('fault injection: the client is killed', () => {
  for (const mode of ['atomic', 'resumable'] as UploadMode[]) {
    it(`mid-STOR (${mode}): no crash, no leaked descriptor, ${mode === 'atomic' ? 'the old file intact' : 'a partial file that REST+STOR completes'}`, async () => {
      const { h, fds } = await started('local', { uploadMode: mode });
      const old = payload(100 * 1024, 3);
      const next = payload(2 * 1024 * 1024, 4);
      await putFile(h.storage, '/f.bin', old);
      const c = await RawClient.connect(h.port);
      await c.login(USER, PASS);
      const ended = nextTransferEnd(h.server);
      const data = await openTransfer(c, 'STOR f.bin');
      const sent = 512 * 1024;
      await new Promise<void>((r) => data.write(next.subarray(0, sent), () => r()));
      await sleep(300);
      data.resetAndDestroy();
      c.socket.resetAndDestroy();
      const end = await ended;
      expect(end.ok).toBe(false);
      await expectRecovered(h, fds);

      const now = await getFile(h.storage, '/f.bin');
      // No temporary file is left beside it either.
      expect(readdirSync(h.root!)).toEqual(['f.bin']);
      if (mode === 'atomic') {
        expect(now.equals(old)).toBe(true);
        return;
      }
      expect(now.length).toBeGreaterThan(0);
      expect(now.length).toBeLessThanOrEqual(sent);
      expect(now.equals(next.subarray(0, now.length))).toBe(true);
      const again = await RawClient.connect(h.port);
      await again.login(USER, PASS);
      expect(await transferUp(again, 'STOR f.bin', next.subarray(now.length), now.length)).toBe(226);
      again.close();
      const whole = await getFile(h.storage, '/f.bin');
      expect({ length: whole.length, partial: now.length, same: whole.equals(next) }).toEqual({ length: next.length, partial: now.length, same: true });
    });
  }

  it('mid-RETR: no crash, no leaked descriptor', async () => {
    const { h, fds } = await started('local');
    await putFile(h.storage, '/big.bin', payload(8 * 1024 * 1024, 5));
    const c = await RawClient.connect(h.port);
    await c.login(USER, PASS);
    const ended = nextTransferEnd(h.server);
    const data = await openTransfer(c, 'RETR big.bin');
    await new Promise((r) => data.once('data', r));
    data.pause();
    data.resetAndDestroy();
    c.socket.resetAndDestroy();
    expect((await ended).ok).toBe(false);
    await expectRecovered(h, fds);
  });

  it('mid-LIST: no crash, no leaked descriptor', async () => {
    const base = memoryStorage();
    await base.mkdir('/many');
    // A directory that lists slowly and long, so the kill lands mid-listing whatever the socket buffers hold.
    const storage: StorageAdapter = {
      ...bindAll(base),
      async *list(dir, opts) {
        if (dir !== '/many') {
          yield* base.list(dir, opts);
          return;
        }
        for (let i = 0; i < 1_000_000; i++) {
          yield { name: `f${i}.txt`, path: `${dir}/f${i}.txt`, type: 'file', size: i, mtime: new Date(0) };
          if (i % 500 === 499) await sleep(2);
        }
      },
    };
    const { h, fds } = await started('memory', { storage });
    const c = await RawClient.connect(h.port);
    await c.login(USER, PASS);
    const ended = nextTransferEnd(h.server);
    const data = await openTransfer(c, 'LIST /many');
    await new Promise((r) => data.once('data', r));
    data.pause();
    await sleep(100);
    data.resetAndDestroy();
    c.socket.resetAndDestroy();
    const end = await ended;
    expect(end.direction).toBe('list');
    expect(end.ok).toBe(false);
    await expectRecovered(h, fds);
  });

  it('between PASV and the transfer: the passive port is closed, no leaked descriptor', async () => {
    const { h, fds } = await started('memory');
    const c = await RawClient.connect(h.port);
    await c.login(USER, PASS);
    const { port } = pasvPort((await c.cmd('PASV')).text);
    c.socket.resetAndDestroy();
    await expectRecovered(h, fds);
    const refused = await new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  const hasOpenssl = requireProgram('openssl', ['version']);
  it.skipIf(!hasOpenssl)('during the TLS handshake (AUTH TLS and implicit FTPS): no crash, no leaked descriptor', async () => {
    const dir = tempDir();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], {
      stdio: 'ignore',
    });
    const pair = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    const { h, fds } = await started('memory', { tls: { context: pair, handshakeTimeoutMs: 5_000 } });
    const implicitPort = (await h.server.listenImplicitTls(0, '127.0.0.1')).port;
    // The implicit listener is part of the baseline.
    const base = Math.max(fds, openFds());
    // A TLS record header announcing a ClientHello whose body never comes.
    const partialHello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);

    const c = await RawClient.connect(h.port);
    await c.login(USER, PASS).catch(() => undefined);
    const c2 = await RawClient.connect(h.port);
    expect((await c2.next())?.code).toBe(220);
    expect((await c2.cmd('AUTH TLS')).code).toBe(234);
    c2.socket.write(partialHello);
    await sleep(200);
    c2.socket.resetAndDestroy();
    c.close();

    for (const kill of ['reset', 'close'] as const) {
      const s = connect(implicitPort, '127.0.0.1');
      s.on('error', () => undefined);
      await new Promise((r) => s.once('connect', r));
      s.write(partialHello);
      await sleep(200);
      if (kill === 'reset') s.resetAndDestroy();
      else s.destroy();
    }
    await expectRecovered(h, base);
  });
});
