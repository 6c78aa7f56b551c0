import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliIo } from './cli.js';
import { hashPassword } from './password-hash.js';

function io(cwd: string, stdin = ''): CliIo & { out: string[]; err: string[]; stops: Array<() => Promise<void>> } {
  const out: string[] = [];
  const err: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  return {
    out,
    err,
    stops,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readStdin: () => Promise.resolve(stdin),
    env: {},
    cwd,
    onRunning: ({ stop }) => stops.push(stop),
  };
}

function curl(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '20', ...args], { encoding: 'utf8' }, (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout });
    });
  });
}

function hasCurl(): boolean {
  const r = spawnSync('curl', ['--version'], { stdio: 'ignore' });
  if (r.status === 0) return true;
  if (process.env.CI) throw new Error('curl is missing: run `pnpm test:setup` to install the test programs');
  return false;
}

describe('ftpkit-server CLI (in-process)', () => {
  it('prints help and version with status 0', async () => {
    const a = io(tmpdir());
    expect(await runCli(['--help'], a)).toBe(0);
    const help = a.out.join('');
    for (const flag of ['--host', '--port', '--root', '--storage', '--user', '--users', '--anonymous', '--anonymous-write', '--pasv-ports', '--pasv-address', '--upload-mode', '--config', '--log-level', '--log-format', '--help', '--version', 'hash-password', '--tls', '--tls-cert', '--tls-key', '--implicit-tls-port', '--require-tls', '--tls-session-reuse', '--run-as', '--user-file', '--anonymous-root', '--s3-bucket', '--s3-prefix', '--s3-endpoint', '--s3-region', '--s3-force-path-style', '--s3-checksum', '--s3-stale-upload-ms']) {
      expect(help).toContain(flag);
    }
    const b = io(tmpdir());
    expect(await runCli(['--version'], b)).toBe(0);
    expect(b.out.join('')).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('fails with one line and status 2 on bad configuration', async () => {
    for (const [args, needle] of [
      [['--port', 'x'], '--port'],
      [['--storage', 's3'], '--s3-bucket: is required with --storage s3'],
      [['--s3-region', 'eu-west-1'], '--s3-region: needs --storage s3'],
      [['--frobnicate'], "unknown option '--frobnicate'"],
      [['--pasv-ports', '10-5'], '--pasv-ports'],
      [['--upload-mode', 'x'], '--upload-mode'],
      [['--require-tls'], '--require-tls: needs TLS'],
      [['--tls-cert', 'c.pem'], '--tls-cert and --tls-key go together'],
      [['--tls', 'self-signed', '--root', tmpdir(), '--tls-dir', join(tmpdir(), 'tls')], '--tls-dir: must not be inside --root'],
    ] as Array<[string[], string]>) {
      const a = io(tmpdir());
      expect(await runCli(args, a)).toBe(2);
      const text = a.err.join('');
      expect(text).toContain(needle);
      expect(text.trim().split('\n')).toHaveLength(1);
    }
  });

  it('hash-password prints a hash of stdin', async () => {
    const a = io(tmpdir(), 'hunter2\n');
    expect(await runCli(['hash-password'], a)).toBe(0);
    expect(a.out.join('')).toMatch(/^scrypt\$\d+\$8\$1\$[^$]+\$[^$]+\n$/);
  });

  it('serves users from a users file with per-user roots and read-only users', async () => {
    if (!hasCurl()) return;
    const cwd = mkdtempSync(join(tmpdir(), 'ftpkit-app-'));
    const root = join(cwd, 'srv');
    mkdirSync(join(root, 'carol'), { recursive: true });
    writeFileSync(join(root, 'carol', 'mine.txt'), 'carol only');
    writeFileSync(join(root, 'top.txt'), 'top');
    const users = join(cwd, 'users.yaml');
    writeFileSync(
      users,
      `users:\n  - name: carol\n    password: "${await hashPassword('pw1')}"\n    root: carol\n    quotaBytes: 12\n  - name: dave\n    password: "${await hashPassword('pw2')}"\n    readOnly: true\n`,
    );
    const config = join(cwd, 'ftpkit.yaml');
    writeFileSync(config, 'limits:\n  loginFailureDelayMs: 0\n');
    const a = io(cwd);
    expect(await runCli(['--port', '0', '--root', root, '--users', users, '--config', config, '--log-level', 'silent'], a)).toBeUndefined();
    const url = /ftp:\/\/127\.0\.0\.1:(\d+)\//.exec(a.out.join(''));
    expect(url).not.toBeNull();
    const port = url?.[1] ?? '0';
    try {
      expect((await curl([`ftp://carol:pw1@127.0.0.1:${port}/mine.txt`])).stdout).toBe('carol only');
      expect((await curl([`ftp://carol:pw1@127.0.0.1:${port}/top.txt`])).code).not.toBe(0);
      expect((await curl([`ftp://dave:pw2@127.0.0.1:${port}/top.txt`])).stdout).toBe('top');
      const src = join(cwd, 'up.txt');
      writeFileSync(src, 'x');
      expect((await curl(['-T', src, `ftp://dave:pw2@127.0.0.1:${port}/up.txt`])).code).not.toBe(0);
      expect((await curl(['-T', src, `ftp://carol:pw1@127.0.0.1:${port}/up.txt`])).code).toBe(0);
      expect(readFileSync(join(root, 'carol', 'up.txt'), 'utf8')).toBe('x');
      // 'mine.txt' (10 B) + 'up.txt' (1 B) leave 1 byte of carol's 12-byte quota.
      writeFileSync(join(cwd, 'five.txt'), '12345');
      expect((await curl(['-T', join(cwd, 'five.txt'), `ftp://carol:pw1@127.0.0.1:${port}/five.txt`])).code).not.toBe(0);
      expect((await curl([`ftp://dave:wrong@127.0.0.1:${port}/top.txt`])).code).toBe(67);
      expect((await curl([`ftp://anonymous:x@127.0.0.1:${port}/top.txt`])).code).toBe(67);
    } finally {
      await Promise.all(a.stops.map((s) => s()));
    }
  });

  it('--tls self-signed: explicit FTPS with session reuse required, and implicit FTPS', async () => {
    if (!hasCurl()) return;
    const cwd = mkdtempSync(join(tmpdir(), 'ftpkit-app-'));
    const a = io(cwd);
    const args = ['--port', '0', '--tls', 'self-signed', '--implicit-tls-port', '0', '--require-tls', '--tls-session-reuse', 'require', '--user', 'u:p', '--log-level', 'silent'];
    expect(await runCli(args, a)).toBeUndefined();
    const banner = a.out.join('');
    expect(banner).toContain('SELF-SIGNED');
    expect(readFileSync(join(cwd, '.ftpkit', 'self-signed-key.pem'), 'utf8')).toContain('PRIVATE KEY');
    // The banner names the certificate to trust; curl verifies against it (no -k) as the banner says.
    const caFile = /curl --cacert (\S+?),? /.exec(banner)?.[1];
    expect(caFile).toBe(join(cwd, '.ftpkit', 'self-signed-cert.pem'));
    const port = /127\.0\.0\.1:(\d+)/.exec(banner)?.[1] ?? '0';
    const implicit = /ftps:\/\/127\.0\.0\.1:(\d+)/.exec(banner)?.[1] ?? '0';
    try {
      writeFileSync(join(cwd, 'ftp-data', 'tls.txt'), 'secret');
      expect((await curl([`ftp://u:p@127.0.0.1:${port}/tls.txt`])).code).not.toBe(0);
      expect((await curl(['--ssl-reqd', '-k', `ftp://u:p@127.0.0.1:${port}/tls.txt`])).stdout).toBe('secret');
      expect((await curl(['-k', `ftps://u:p@127.0.0.1:${implicit}/tls.txt`])).stdout).toBe('secret');
      expect((await curl(['--ssl-reqd', '--cacert', caFile ?? '', `ftp://u:p@127.0.0.1:${port}/tls.txt`])).stdout).toBe('secret');
      expect((await curl(['--cacert', caFile ?? '', `ftps://u:p@127.0.0.1:${implicit}/tls.txt`])).stdout).toBe('secret');
    } finally {
      await Promise.all(a.stops.map((s) => s()));
    }
  });

  it('anonymous is read-only unless --anonymous-write; memory storage works', async () => {
    if (!hasCurl()) return;
    const cwd = mkdtempSync(join(tmpdir(), 'ftpkit-app-'));
    const a = io(cwd);
    expect(await runCli(['--port', '0', '--storage', 'memory', '--anonymous', '--user', 'w:pw', '--log-level', 'silent'], a)).toBeUndefined();
    const port = /127\.0\.0\.1:(\d+)/.exec(a.out.join(''))?.[1] ?? '0';
    try {
      const src = join(cwd, 'up.txt');
      writeFileSync(src, 'mem');
      expect((await curl(['-T', src, `ftp://w:pw@127.0.0.1:${port}/m.txt`])).code).toBe(0);
      expect((await curl([`ftp://127.0.0.1:${port}/m.txt`])).stdout).toBe('mem');
      expect((await curl(['-T', src, `ftp://127.0.0.1:${port}/anon.txt`])).code).not.toBe(0);
    } finally {
      await Promise.all(a.stops.map((s) => s()));
    }
  });

  it('offers MFMT and SITE CHMOD on local and memory storage', async () => {
    if (!hasCurl()) return;
    for (const storage of ['local', 'memory']) {
      const cwd = mkdtempSync(join(tmpdir(), 'ftpkit-app-'));
      const a = io(cwd);
      expect(await runCli(['--port', '0', '--storage', storage, '--user', 'u:p', '--log-level', 'silent'], a)).toBeUndefined();
      const port = /127\.0\.0\.1:(\d+)/.exec(a.out.join(''))?.[1] ?? '0';
      try {
        const src = join(cwd, 'up.txt');
        writeFileSync(src, 'times');
        expect((await curl(['-T', src, `ftp://u:p@127.0.0.1:${port}/t.txt`])).code).toBe(0);
        // curl -Q runs each command after login; a failure reply fails the whole call.
        const set = await curl(['-Q', 'MFMT 20200102030405 t.txt', '-Q', 'SITE CHMOD 600 t.txt', `ftp://u:p@127.0.0.1:${port}/t.txt`]);
        expect(set.code, storage).toBe(0);
        expect(set.stdout).toBe('times');
        const head = await curl(['-I', `ftp://u:p@127.0.0.1:${port}/t.txt`]);
        expect(head.stdout, storage).toMatch(/Last-Modified: Thu, 02 Jan 2020 03:04:05 GMT/);
        if (storage === 'local') expect(statSync(join(cwd, 'ftp-data', 't.txt')).mode & 0o777).toBe(0o600);
      } finally {
        await Promise.all(a.stops.map((s) => s()));
      }
    }
  });
});
