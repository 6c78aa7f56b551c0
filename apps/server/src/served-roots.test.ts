import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { curl, programEnv, programReady, runProgram, startProgram } from './test-support/s3-program.js';

const HASH = 'scrypt$16384$8$1$c2FsdA==$a2V5';

function usersFile(dir: string, users: Array<[string, string]>): string {
  const path = join(dir, `users-${users.map(([n]) => n).join('-')}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, `users:\n${users.map(([name, root]) => `  - name: ${name}\n    password: "${HASH}"\n    root: ${JSON.stringify(root)}\n`).join('')}`);
  return path;
}

/** Start-up refusals: exit status 2 and exactly one line on stderr. */
async function refused(args: string[], cwd?: string): Promise<string> {
  const r = await runProgram(['--port', '0', ...args], programEnv(), 40_000, cwd);
  expect(r.code, `${r.stdout}${r.stderr}`).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  return r.stderr;
}

describe('ftpkit-server: what it serves stays inside --root', () => {
  it('refuses a users-file root outside --root (../, /, a symlink out), naming the user and the key', { timeout: 120_000 }, async () => {
    if (!programReady()) return;
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-roots-'));
    const root = join(dir, 'srv');
    mkdirSync(join(dir, 'outside'), { recursive: true });
    mkdirSync(root);
    writeFileSync(join(dir, 'outside', 'secret.txt'), 'outside');
    symlinkSync(join(dir, 'outside'), join(root, 'link'));
    for (const bad of ['../outside', '/', 'link', 'link/deeper']) {
      const err = await refused(['--root', root, '--users', usersFile(dir, [['alice', 'alice'], ['mallory', bad]])]);
      expect(err).toContain('--users (users[1]).root');
      expect(err).toContain('user "mallory"');
      expect(err).toContain('outside --root');
    }
    writeFileSync(join(root, 'a-file'), 'x');
    expect(await refused(['--root', root, '--users', usersFile(dir, [['carol', 'a-file']])])).toContain(`--users (users[0]).root: user "carol": ${join(root, 'a-file')} is not a directory`);
    // An absolute root inside --root is fine (it starts), and so is a root not created yet.
    const ok = await startProgram(['--root', root, '--users', usersFile(dir, [['alice', join(root, 'alice')], ['bob', 'later']])], programEnv());
    expect(await ok.stop(), `${ok.stdout()}${ok.stderr()} signal ${ok.child.signalCode}`).toBe(0);
  });

  it('--anonymous with per-user roots: refused without --anonymous-root; with it anonymous reads only its own directory', { timeout: 120_000 }, async () => {
    if (!programReady()) return;
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-roots-'));
    const root = join(dir, 'srv');
    for (const [sub, file, text] of [['alice', 'a.txt', 'alice file'], ['bob', 'b.txt', 'bob file'], ['pub', 'p.txt', 'public file']] as const) {
      mkdirSync(join(root, sub), { recursive: true });
      writeFileSync(join(root, sub, file), text);
    }
    const users = usersFile(dir, [['alice', 'alice'], ['bob', 'bob']]);
    expect(await refused(['--root', root, '--users', users, '--anonymous'])).toContain('--anonymous: ');
    expect(await refused(['--root', root, '--users', users, '--anonymous', '--anonymous-root', '../elsewhere'])).toContain('--anonymous-root: ');
    expect(await refused(['--root', root, '--users', users, '--anonymous-root', 'pub'])).toContain('--anonymous-root: needs --anonymous');

    const p = await startProgram(['--root', root, '--users', users, '--anonymous', '--anonymous-root', 'pub', '--log-level', 'warn'], programEnv());
    try {
      const url = `ftp://127.0.0.1:${p.port}`;
      expect((await curl([`${url}/p.txt`])).stdout).toBe('public file');
      for (const path of ['/alice/a.txt', '/bob/b.txt', '/../alice/a.txt', '/../bob/b.txt']) {
        const got = await curl(['--path-as-is', `${url}${path}`]);
        expect(got.code, path).not.toBe(0);
        expect(got.stdout).toBe('');
      }
      const listing = await curl(['--list-only', `${url}/`]);
      expect(listing.stdout.trim()).toBe('p.txt');
    } finally {
      expect(await p.stop()).toBe(0);
    }
  });

  it('never serves the TLS key: refuses --tls-dir, --tls-key and --tls-cert inside a served root, also with --root given through a symlink', { timeout: 120_000 }, async () => {
    if (!programReady()) return;
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-roots-'));
    const real = join(dir, 'real-srv');
    mkdirSync(join(real, 'alice'), { recursive: true });
    mkdirSync(join(dir, 'tls'));
    symlinkSync(real, join(dir, 'srv'));
    const root = join(dir, 'srv');
    for (const where of [join(real, 'k.pem'), join(real, 'alice', 'k.pem'), join(dir, 'tls', 'k.pem'), join(dir, 'tls', 'c.pem')]) writeFileSync(where, 'pem');
    // The self-signed directory named by its real path while --root is the symlink.
    expect(await refused(['--root', root, '--tls', 'self-signed', '--tls-dir', join(real, '.ftpkit')])).toContain('--tls-dir: must not be inside --root');
    expect(existsSync(join(real, '.ftpkit'))).toBe(false);
    // The default ./.ftpkit, in a working directory that is the served root under its real name.
    expect(await refused(['--root', root, '--tls', 'self-signed'], real)).toContain('--tls-dir: must not be inside --root');
    expect(await refused(['--root', root, '--tls-cert', join(dir, 'tls', 'c.pem'), '--tls-key', join(real, 'k.pem')])).toContain('--tls-key: must not be inside');
    expect(await refused(['--root', root, '--tls-cert', join(real, 'k.pem'), '--tls-key', join(dir, 'tls', 'k.pem')])).toContain('--tls-cert: must not be inside');
    // A key in a user's root (a users file with root: alice).
    const users = usersFile(dir, [['alice', 'alice']]);
    expect(await refused(['--root', root, '--users', users, '--tls-cert', join(dir, 'tls', 'c.pem'), '--tls-key', join(real, 'alice', 'k.pem')])).toContain(
      '--tls-key: must not be inside',
    );
  });

  it('--root: an explicit directory that does not exist or is a file is a one-line error naming it; the default may be created', { timeout: 120_000 }, async () => {
    if (!programReady()) return;
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-roots-'));
    const typo = join(dir, 'typo');
    const missing = await refused(['--root', typo]);
    expect(missing).toContain(`--root: ${typo} does not exist`);
    expect(existsSync(typo)).toBe(false);
    writeFileSync(join(dir, 'a-file'), 'x');
    const file = await refused(['--root', join(dir, 'a-file')]);
    expect(file).toContain(`--root: ${join(dir, 'a-file')} is not a directory`);
    expect(file).not.toContain('EEXIST');
    // The default ./ftp-data being a file: the same one line, not an EEXIST stack.
    const cwd = mkdtempSync(join(tmpdir(), 'ftpkit-roots-'));
    writeFileSync(join(cwd, 'ftp-data'), 'x');
    expect(await refused([], cwd)).toContain('is not a directory');
    const fresh = mkdtempSync(join(tmpdir(), 'ftpkit-roots-'));
    const p = await startProgram([], programEnv(), fresh);
    expect(existsSync(join(fresh, 'ftp-data'))).toBe(true);
    expect(await p.stop(), `${p.stdout()}${p.stderr()} signal ${p.child.signalCode}`).toBe(0);
  });
});
