import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../../../packages/server/test/raw-client.js';
import { programEnv, programReady, runProgram, startProgram, type ProgramProcess } from '../src/test-support/s3-program.js';

const TOKEN = 'a-console-token-from-a-file-0123456789';

/** Log in with `token`: the cookie (name=value) or undefined when refused. */
async function login(base: string, token: string): Promise<{ status: number; cookie: string | undefined; setCookie: string | null; location: string | null }> {
  const res = await fetch(`${base}login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, cookie: setCookie?.split(';')[0], setCookie, location: res.headers.get('location') };
}

/** The CSRF token the page carries. */
async function csrfOf(base: string, cookie: string): Promise<string> {
  const html = await (await fetch(base, { headers: { cookie } })).text();
  const m = /<meta name="csrf-token" content="([^"]+)">/.exec(html);
  if (m === null) throw new Error(`no csrf token in ${html}`);
  return m[1]!;
}

describe('ftpkit-server --console: access control, attacked from outside', () => {
  let dir: string;
  let program: ProgramProcess;
  let base: string;

  beforeAll(async () => {
    expect(programReady()).toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'ftpkit-console-access-'));
    mkdirSync(join(dir, 'root'));
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    program = await startProgram(['--root', join(dir, 'root'), '--user', 'u:p', '--console', '0', '--console-token-file', join(dir, 'token')], programEnv());
    const m = /console: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(program.stdout());
    if (m === null) throw new Error(`no console line in ${program.stdout()}`);
    base = m[1]!;
  }, 60_000);

  afterAll(async () => {
    await program?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('a bare port binds 127.0.0.1; a token from a file is never printed', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(program.stdout()).not.toContain(TOKEN);
    expect(program.stdout()).not.toMatch(/token:/);
  });

  it('without a login nothing but the login page and its stylesheet is served', async () => {
    const page = await fetch(base);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="token"');
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    for (const path of ['api/state', 'api/events']) expect((await fetch(`${base}${path}`)).status).toBe(401);
    expect((await fetch(`${base}api/sessions/1/disconnect`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}api/state`, { headers: { cookie: 'ftpkit_console=forged' } })).status).toBe(401);
  });

  it('a flood of wrong tokens is refused without a cookie; the right token still gets in', async () => {
    const guesses = await Promise.all(Array.from({ length: 40 }, (_, i) => login(base, `${TOKEN.slice(0, -1)}${String.fromCharCode(65 + (i % 26))}`)));
    for (const g of guesses) {
      expect(g.status).toBe(303);
      expect(g.location).toBe('/?wrong');
      expect(g.setCookie).toBeNull();
    }
    expect((await login(base, '')).setCookie).toBeNull();
    const ok = await login(base, TOKEN);
    expect(ok.status).toBe(303);
    expect(ok.setCookie).toMatch(/^ftpkit_console=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect((await fetch(`${base}api/state`, { headers: { cookie: ok.cookie! } })).status).toBe(200);
  }, 30_000);

  it('an action without the CSRF token, with a wrong one, or from another site is refused and changes nothing', async () => {
    const { cookie } = await login(base, TOKEN);
    const csrf = await csrfOf(base, cookie!);
    const victim = await RawClient.connect(program.port);
    try {
      await victim.login('u', 'p');
      const state = (await (await fetch(`${base}api/state`, { headers: { cookie: cookie! } })).json()) as { sessions: Array<{ id: number; user?: string }> };
      const id = state.sessions.find((s) => s.user === 'u')?.id;
      expect(id).toBeDefined();
      const url = `${base}api/sessions/${id}/disconnect`;
      expect((await fetch(url, { method: 'POST', headers: { cookie: cookie! } })).status).toBe(403);
      expect((await fetch(url, { method: 'POST', headers: { cookie: cookie!, 'x-csrf-token': `${csrf}x` } })).status).toBe(403);
      expect((await fetch(url, { method: 'POST', headers: { cookie: cookie!, 'x-csrf-token': csrf, origin: 'http://evil.example' } })).status).toBe(403);
      // Another login's CSRF token is not this one's.
      const other = await login(base, TOKEN);
      expect((await fetch(url, { method: 'POST', headers: { cookie: cookie!, 'x-csrf-token': await csrfOf(base, other.cookie!) } })).status).toBe(403);
      // Still served: nothing was said to it, and it answers.
      expect((await victim.cmd('NOOP')).code).toBe(200);
      // With everything right, it acts.
      expect((await fetch(url, { method: 'POST', headers: { cookie: cookie!, 'x-csrf-token': csrf, origin: base.slice(0, -1) } })).status).toBe(200);
      expect((await victim.next())?.code).toBe(421);
    } finally {
      victim.close();
    }
    const refused = (program.stdout() + program.stderr()).split('\n').filter((l) => l.includes('console: action refused'));
    expect(refused.length).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it('start-up mistakes are one line and exit 2', async () => {
    writeFileSync(join(dir, 'short'), 'abc\n');
    const cases: Array<[string[], RegExp]> = [
      [['--console', '127.0.0.1:0', '--console-token-file', join(dir, 'short')], /^ftpkit-server: --console-token-file: the token in .* is too short/],
      [['--console', '127.0.0.1:0', '--console-token-file', join(dir, 'missing')], /^ftpkit-server: --console-token-file: cannot read .* \(ENOENT\)/],
      [['--console-token-file', join(dir, 'token')], /^ftpkit-server: --console-token-file: needs --console HOST:PORT/],
      [['--console', 'nowhere'], /^ftpkit-server: --console: must be HOST:PORT or PORT/],
    ];
    for (const [args, message] of cases) {
      const r = await runProgram(['--port', '0', '--storage', 'memory', ...args], programEnv());
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  }, 60_000);
});

describe('ftpkit-server --console with --tls: the console is served over TLS with the FTPS certificate', () => {
  it('https, and the cookie is Secure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-console-tls-'));
    mkdirSync(join(dir, 'root'));
    const program = await startProgram(
      ['--root', join(dir, 'root'), '--user', 'u:p', '--tls', 'self-signed', '--tls-dir', join(dir, 'tls'), '--console', '127.0.0.1:0'],
      programEnv(),
    );
    try {
      const m = /console: (https:\/\/127\.0\.0\.1:(\d+)\/)  token: (\S+)/.exec(program.stdout());
      expect(m).not.toBeNull();
      const body = `token=${encodeURIComponent(m![3]!)}`;
      const res = await new Promise<{ status: number | undefined; setCookie: string[] | undefined; cert: string }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: Number(m![2]), path: '/login', method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length } },
          (r) => {
            const peer = (r.socket as TLSSocket).getPeerCertificate();
            resolve({ status: r.statusCode, setCookie: r.headers['set-cookie'], cert: peer.fingerprint256 });
            r.resume();
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      expect(res.status).toBe(303);
      expect(res.setCookie?.[0]).toMatch(/; HttpOnly; SameSite=Strict; Path=\/; Secure$/);
      expect(res.cert).toMatch(/^[0-9A-F:]+$/);
    } finally {
      await program.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('the console presents the FTPS certificate, and the new one after SIGHUP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-console-tls-reload-'));
    mkdirSync(join(dir, 'root'));
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    const makePair = (): string => {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
      return new X509Certificate(readFileSync(cert)).fingerprint256;
    };
    const first = makePair();
    const program = await startProgram(['--root', join(dir, 'root'), '--user', 'u:p', '--tls-cert', cert, '--tls-key', key, '--console', '127.0.0.1:0'], programEnv());
    const presented = (port: number): Promise<string> =>
      new Promise((resolve, reject) => {
        // A new connection each time (no keep-alive agent): the certificate of a fresh handshake.
        const req = request({ host: '127.0.0.1', port, path: '/', rejectUnauthorized: false, agent: false }, (r) => {
          resolve((r.socket as TLSSocket).getPeerCertificate().fingerprint256);
          r.resume();
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const port = Number(/console: https:\/\/127\.0\.0\.1:(\d+)\//.exec(program.stdout())?.[1]);
      expect(await presented(port)).toBe(first);
      const second = makePair();
      expect(second).not.toBe(first);
      program.child.kill('SIGHUP');
      const deadline = Date.now() + 15_000;
      let now = await presented(port);
      while (now !== second && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        now = await presented(port);
      }
      expect(now).toBe(second);
    } finally {
      await program.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
