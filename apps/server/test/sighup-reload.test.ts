/**
 * SIGHUP against the built program (issue 17, point 1): it never ends the server, it reloads the
 * users file for new logins (a broken file keeps the old users), and it says so in one log line.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../../../packages/server/test/raw-client.js';
import { hashPassword } from '../src/password-hash.js';
import { curl, programEnv, programReady, startProgram, type ProgramProcess } from '../src/test-support/s3-program.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ftpkit-sighup-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'srv');
  mkdirSync(root);
  writeFileSync(join(root, 'f.txt'), 'served');
  return dir;
}

/** The JSON lines of the program's stderr, parsed. */
function logLines(p: ProgramProcess): Array<Record<string, unknown>> {
  return p
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Waits (bounded) for a log line matching `test`. */
async function logLine(p: ProgramProcess, test: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const started = Date.now();
  for (;;) {
    const found = logLines(p).find(test);
    if (found !== undefined) return found;
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`exited (${p.child.exitCode ?? p.child.signalCode}); stderr: ${p.stderr()}`);
    if (Date.now() - started > 15_000) throw new Error(`no such log line in 15 s; stderr: ${p.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const isReload = (l: Record<string, unknown>): boolean => l.signal === 'SIGHUP' && Array.isArray(l.reloaded);

async function usersYaml(entries: Array<[string, string]>): Promise<string> {
  const lines = ['users:'];
  for (const [name, password] of entries) lines.push(`  - name: ${name}`, `    password: "${await hashPassword(password)}"`);
  return `${lines.join('\n')}\n`;
}

async function started(args: string[]): Promise<ProgramProcess> {
  const p = await startProgram(args, programEnv());
  cleanup.push(async () => {
    if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  });
  return p;
}

describe('SIGHUP to the built ftpkit-server', () => {
  it('a server without TLS survives SIGHUP, logs one JSON line, and still serves a login', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const dir = tempDir();
    const p = await started(['--root', join(dir, 'srv'), '--user', 'u:p']);
    p.child.kill('SIGHUP');
    const line = await logLine(p, isReload);
    expect(line.reloaded).toEqual([]);
    expect(String(line.msg)).toMatch(/SIGHUP/);
    // A second one too: nothing is left in a state that a repeated reload breaks.
    p.child.kill('SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await curl([`ftp://u:p@127.0.0.1:${p.port}/f.txt`])).stdout).toBe('served');
    expect(p.child.exitCode).toBeNull();
    expect(await p.stop()).toBe(0);
  });

  it('an edited users file takes effect for new logins after SIGHUP: the new user logs in, the removed one cannot', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const dir = tempDir();
    const file = join(dir, 'users.yaml');
    writeFileSync(file, await usersYaml([['alice', 'alice-pw']]));
    const p = await started(['--root', join(dir, 'srv'), '--users', file]);
    expect((await curl([`ftp://alice:alice-pw@127.0.0.1:${p.port}/f.txt`])).stdout).toBe('served');
    expect((await curl([`ftp://bob:bob-pw@127.0.0.1:${p.port}/f.txt`])).code).toBe(67);

    writeFileSync(file, await usersYaml([['bob', 'bob-pw']]));
    p.child.kill('SIGHUP');
    const line = await logLine(p, isReload);
    expect(line).toMatchObject({ level: 30, reloaded: ['users'], users: 1 });
    expect((await curl([`ftp://bob:bob-pw@127.0.0.1:${p.port}/f.txt`])).stdout).toBe('served');
    expect((await curl([`ftp://alice:alice-pw@127.0.0.1:${p.port}/f.txt`])).code).toBe(67);
    expect(await p.stop()).toBe(0);
  });

  it('per-user settings changed in the file apply to the next login after SIGHUP, not to sessions already logged in', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const dir = tempDir();
    const file = join(dir, 'users.yaml');
    const hash = await hashPassword('alice-pw');
    writeFileSync(file, `users:\n  - name: alice\n    password: "${hash}"\n`);
    const p = await started(['--root', join(dir, 'srv'), '--users', file]);
    const before = await RawClient.connect(p.port);
    cleanup.push(() => before.close());
    await before.login('alice', 'alice-pw');
    writeFileSync(file, `users:\n  - name: alice\n    password: "${hash}"\n    readOnly: true\n`);
    p.child.kill('SIGHUP');
    await logLine(p, (l) => isReload(l) && (l.reloaded as unknown[]).includes('users'));
    const after = await RawClient.connect(p.port);
    cleanup.push(() => after.close());
    await after.login('alice', 'alice-pw');
    expect((await after.cmd('MKD made-after')).code).toBe(550);
    expect((await before.cmd('MKD made-before')).code).toBe(257);
    expect(await p.stop()).toBe(0);
  });

  it('a --user-file (plain passwords) is re-read on SIGHUP as well', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const dir = tempDir();
    const file = join(dir, 'users.txt');
    writeFileSync(file, 'alice:alice-pw\n');
    const p = await started(['--root', join(dir, 'srv'), '--user-file', file]);
    writeFileSync(file, 'carol:carol-pw\n');
    p.child.kill('SIGHUP');
    expect(await logLine(p, isReload)).toMatchObject({ reloaded: ['users'], users: 1 });
    expect((await curl([`ftp://carol:carol-pw@127.0.0.1:${p.port}/f.txt`])).stdout).toBe('served');
    expect((await curl([`ftp://alice:alice-pw@127.0.0.1:${p.port}/f.txt`])).code).toBe(67);
    expect(await p.stop()).toBe(0);
  });

  it('a broken users file on SIGHUP keeps the old users and logs an error naming the user and the key', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const dir = tempDir();
    const file = join(dir, 'users.yaml');
    writeFileSync(file, await usersYaml([['alice', 'alice-pw']]));
    const p = await started(['--root', join(dir, 'srv'), '--users', file]);

    writeFileSync(file, `users:\n  - name: bob\n    password: "${await hashPassword('bob-pw')}"\n    readonly: true\n`);
    p.child.kill('SIGHUP');
    const error = await logLine(p, (l) => l.level === 50);
    expect(String(error.msg)).toMatch(/users file not reloaded, keeping the old users/);
    expect(String(error.error)).toMatch(/users\[0\]\)\.readonly: user "bob": unknown key/);
    expect(await logLine(p, isReload)).toMatchObject({ reloaded: [] });
    expect((await curl([`ftp://alice:alice-pw@127.0.0.1:${p.port}/f.txt`])).stdout).toBe('served');
    expect((await curl([`ftp://bob:bob-pw@127.0.0.1:${p.port}/f.txt`])).code).toBe(67);

    // A fixed file is picked up by the next SIGHUP.
    writeFileSync(file, await usersYaml([['bob', 'bob-pw']]));
    p.child.kill('SIGHUP');
    await logLine(p, (l) => isReload(l) && (l.reloaded as unknown[]).includes('users'));
    expect((await curl([`ftp://bob:bob-pw@127.0.0.1:${p.port}/f.txt`])).stdout).toBe('served');
    expect(await p.stop()).toBe(0);
  });

  it('with TLS: a bad new certificate keeps the old one while the users file on the same SIGHUP is still reloaded', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const dir = tempDir();
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const file = join(dir, 'users.yaml');
    writeFileSync(file, await usersYaml([['alice', 'alice-pw']]));
    const p = await started(['--root', join(dir, 'srv'), '--users', file, '--tls-cert', cert, '--tls-key', key]);
    const fetchOverTls = (): Promise<string> =>
      curl(['--ssl-reqd', '-k', '-v', `ftp://alice:alice-pw@127.0.0.1:${p.port}/f.txt`]).then((r) => (r.code === 0 ? r.stdout : `curl ${r.code}: ${r.stderr}`));
    expect(await fetchOverTls()).toBe('served');
    const good = readFileSync(cert, 'utf8');
    writeFileSync(cert, good.replace(/[A-Za-z]{8}/, 'AAAAAAAA').slice(0, 200));
    writeFileSync(file, await usersYaml([['alice', 'alice-pw'], ['bob', 'bob-pw']]));
    p.child.kill('SIGHUP');
    const line = await logLine(p, isReload);
    expect(line).toMatchObject({ reloaded: ['users'], users: 2 });
    expect(logLines(p).find((l) => l.level === 50)?.msg).toMatch(/TLS certificate not reloaded, keeping the old one/);
    expect(await fetchOverTls()).toBe('served');
    expect((await curl(['--ssl-reqd', '-k', `ftp://bob:bob-pw@127.0.0.1:${p.port}/f.txt`])).stdout).toBe('served');
    expect(await p.stop()).toBe(0);
  });
});
