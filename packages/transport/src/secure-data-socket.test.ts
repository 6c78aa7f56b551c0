import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect as netConnect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import { constants } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { secureDataSocket, type TlsSessionReuse } from './secure-data-socket.js';
import { TlsSessionCache } from './tls-session-cache.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI) throw new Error('openssl missing: run `pnpm test:setup`');
    return false;
  }
}

const enabled = hasOpenssl();

describe.skipIf(!enabled)('secureDataSocket', () => {
  let options: { key: Buffer; cert: Buffer };
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    options = { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) };
  });

  /** One TLS connection; the server side goes through secureDataSocket. */
  async function once(ctx: SecureContext, cache: TlsSessionCache, reuse: TlsSessionReuse, session: Buffer | undefined, maxVersion: 'TLSv1.2' | 'TLSv1.3') {
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const accepted = new Promise<Socket>((r) => server.once('connection', r));
    const raw = netConnect(port, '127.0.0.1');
    let newSession: Buffer | undefined;
    const client = tlsConnect({
      socket: raw,
      rejectUnauthorized: false,
      maxVersion,
      secureOptions: constants.SSL_OP_NO_TICKET,
      ...(session ? { session } : {}),
    });
    client.on('session', (s: Buffer) => (newSession = s));
    client.on('error', () => undefined);
    const serverSide = secureDataSocket(await accepted, { secureContext: ctx, sessionCache: cache, sessionReuse: reuse, timeoutMs: 5000 });
    const result = await serverSide.then(
      (s) => ({ ok: true as const, reused: s.isSessionReused(), socket: s }),
      (e: unknown) => ({ ok: false as const, error: e as { code: string; message: string } }),
    );
    if (result.ok) {
      result.socket.end('x');
      await new Promise((r) => client.once('end', r).resume());
    }
    client.destroy();
    server.close();
    return { result, session: newSession };
  }

  for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`resumes a session of the same cache (${v}) and refuses a fresh one under require`, async () => {
      const ctx = createSecureContext(options);
      const cache = new TlsSessionCache();
      const first = await once(ctx, cache, 'prefer', undefined, v);
      expect(first.result).toMatchObject({ ok: true, reused: false });
      expect(first.session).toBeDefined();
      const again = await once(ctx, cache, 'require', first.session, v);
      expect(again.result).toMatchObject({ ok: true, reused: true });
      const fresh = await once(ctx, cache, 'require', undefined, v);
      expect(fresh.result).toMatchObject({ ok: false, error: { code: 'tls', message: 'TLS session of data connection not resumed' } });
      // A session from another control connection (other cache and context) does not resume.
      const other = await once(createSecureContext(options), new TlsSessionCache(), 'require', first.session, v);
      expect(other.result.ok).toBe(false);
    });
  }
});
