import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPassword } from './password-hash.js';
import { curl, programEnv, programReady, runProgram, startProgram } from './test-support/s3-program.js';

const NOBODY_UID = 65534;
const isRoot = process.getuid?.() === 0;

/** RETR through Python's ftplib (it reports the final reply, where curl stops at the empty data connection). */
function ftplibRetr(port: number, path: string): Promise<string> {
  const script = [
    'import ftplib, sys',
    'f = ftplib.FTP(timeout=20)',
    `f.connect("127.0.0.1", ${port})`,
    'f.login("u", "p")',
    'try:',
    `    f.retrbinary("RETR " + sys.argv[1], sys.stdout.buffer.write)`,
    'except ftplib.all_errors as e:',
    '    print("REPLY", e)',
  ].join('\n');
  return new Promise((resolve) => {
    execFile('python3', ['-c', script, path], { encoding: 'utf8', timeout: 30_000 }, (_error, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
}

/** A root directory the user nobody can reach and write (mkdtemp's directory is 0700). */
function nobodyRoot(): { dir: string; root: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ftpkit-runas-'));
  chmodSync(dir, 0o755);
  const root = join(dir, 'srv');
  mkdirSync(root);
  if (isRoot) chownSync(root, NOBODY_UID, NOBODY_UID);
  return { dir, root };
}

describe('ftpkit-server --run-as', () => {
  it('binds, then serves FTPS as nobody: an upload is owned by nobody, a root-only file answers 550, the key stays root-only', { timeout: 120_000 }, async () => {
    if (!programReady()) return;
    const { dir, root } = nobodyRoot();
    writeFileSync(join(root, 'root-only.txt'), 'root secret');
    chmodSync(join(root, 'root-only.txt'), 0o600);
    if (!isRoot) {
      // Not root: the drop cannot happen, and the program says so instead of serving.
      const r = await runProgram(['--port', '0', '--root', root, '--user', 'u:p', '--run-as', 'nobody'], programEnv());
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(/^ftpkit-server: --run-as: cannot switch to user "nobody"/);
      return;
    }
    const tlsDir = join(dir, 'tls');
    const p = await startProgram(['--root', root, '--user', 'u:p', '--run-as', 'nobody', '--tls', 'self-signed', '--tls-dir', tlsDir], programEnv());
    try {
      expect(p.stdout()).toContain('running as user nobody');
      const status = readFileSync(`/proc/${p.child.pid}/status`, 'utf8');
      expect(status).toMatch(new RegExp(`^Uid:\\s+${NOBODY_UID}\\s+${NOBODY_UID}\\s+${NOBODY_UID}\\s+${NOBODY_UID}$`, 'm'));
      expect(status).toMatch(/^Groups:\s*65534\s*$/m);
      const src = join(dir, 'up.txt');
      writeFileSync(src, 'uploaded');
      expect((await curl(['--ssl-reqd', '-k', '-T', src, `ftp://u:p@127.0.0.1:${p.port}/up.txt`])).code).toBe(0);
      expect(statSync(join(root, 'up.txt')).uid).toBe(NOBODY_UID);
      expect(await ftplibRetr(p.port, 'root-only.txt')).toMatch(/^REPLY 550/m);
      expect(p.stderr()).not.toContain('RUNNING AS ROOT');
      // Generated before the drop: the key stays root's, unreadable by the process that serves clients.
      const key = statSync(join(tlsDir, 'self-signed-key.pem'));
      expect([key.uid, key.mode & 0o777]).toEqual([0, 0o600]);
      expect(statSync(tlsDir).mode & 0o777).toBe(0o700);
    } finally {
      expect(await p.stop()).toBe(0);
    }
  });

  it('creates the default ./ftp-data and missing user roots for the --run-as user, so its uploads work', { timeout: 120_000 }, async () => {
    // Only root can hand directories to another user; the test environment runs as root.
    if (!programReady() || !isRoot) return;
    const { dir } = nobodyRoot();
    const users = join(dir, 'users.yaml');
    writeFileSync(users, `users:\n  - name: al\n    password: "${await hashPassword('pw')}"\n    root: homes/al\n`);
    const p = await startProgram(['--users', users, '--run-as', 'nobody', '--log-level', 'warn'], programEnv(), dir);
    try {
      const src = join(dir, 'up.txt');
      writeFileSync(src, 'mine');
      const put = await curl(['-T', src, `ftp://al:pw@127.0.0.1:${p.port}/up.txt`]);
      expect(put.code, put.stderr).toBe(0);
      for (const made of ['ftp-data', 'ftp-data/homes', 'ftp-data/homes/al', 'ftp-data/homes/al/up.txt']) {
        expect(statSync(join(dir, made)).uid, made).toBe(NOBODY_UID);
      }
    } finally {
      expect(await p.stop()).toBe(0);
    }
  });

  it('warns loudly in the log when serving as root without --run-as', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const { root } = nobodyRoot();
    const p = await startProgram(['--root', root, '--user', 'u:p'], programEnv());
    expect(await p.stop()).toBe(0);
    const warning = p
      .stderr()
      .split('\n')
      .filter((line) => line.includes('RUNNING AS ROOT'));
    if (isRoot) {
      expect(warning).toHaveLength(1);
      expect(JSON.parse(warning[0] ?? '{}')).toMatchObject({ level: 40, uid: 0 });
    } else expect(warning).toHaveLength(0);
  });

  it('refuses to start for a user that does not exist, or root: one line, exit 2', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const { root } = nobodyRoot();
    const r = await runProgram(['--port', '0', '--root', root, '--run-as', 'no-such-user-ftpkit'], programEnv());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('ftpkit-server: --run-as: no such user "no-such-user-ftpkit"\n');
    const asRoot = await runProgram(['--port', '0', '--root', root, '--run-as', 'root'], programEnv());
    expect(asRoot.code).toBe(2);
    expect(asRoot.stderr).toBe('ftpkit-server: --run-as: user "root" is root (uid 0): name an unprivileged user\n');
  });
});
