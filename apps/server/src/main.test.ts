import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');

function curl(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '20', ...args], { encoding: 'utf8' }, (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout });
    });
  });
}

function start(args: string[], cwd: string) {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FTPKIT_LOG_FORMAT: 'json' } });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const io = { out: '', err: '' };
  child.stderr.setEncoding('utf8').on('data', (d: string) => (io.err += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => (io.out += d));
  const waitFor = (re: RegExp, which: 'out' | 'err' = 'out'): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const check = (): void => {
        const m = re.exec(io[which]);
        if (m) resolve(m);
        else if (Date.now() - started > 15_000) reject(new Error(`timed out waiting for ${re}; stdout: ${io.out} stderr: ${io.err}`));
        else setTimeout(check, 50);
      };
      check();
    });
  return { child, exited, io, waitFor };
}

describe('the built ftpkit-server program', () => {
  it('serves FTPS with a self-signed certificate and reloads it on SIGHUP and keeps serving', async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm build\` first (pnpm test does)`);
    if (spawnSync('curl', ['--version'], { stdio: 'ignore' }).status !== 0) {
      if (process.env.CI) throw new Error('curl is missing: run `pnpm test:setup` to install the test programs');
      return;
    }
    const cwd = mkdtempSync(join(tmpdir(), 'ftpkit-main-'));
    const p = start(['--port', '0', '--tls', 'self-signed', '--user', 'u:p'], cwd);
    try {
      const port = (await p.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1];
      writeFileSync(join(cwd, 'ftp-data', 'a.txt'), 'tls file');
      expect((await curl(['--ssl-reqd', '-k', `ftp://u:p@127.0.0.1:${port}/a.txt`])).stdout).toBe('tls file');
      p.child.kill('SIGHUP');
      await p.waitFor(/TLS certificate reloaded/, 'err');
      expect((await curl(['--ssl-reqd', '-k', `ftp://u:p@127.0.0.1:${port}/a.txt`])).stdout).toBe('tls file');
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  });


  it('starts with no arguments (but --port 0), prints its URL, serves a file, exits 0 on SIGTERM', async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm build\` first (pnpm test does)`);
    if (spawnSync('curl', ['--version'], { stdio: 'ignore' }).status !== 0) {
      if (process.env.CI) throw new Error('curl is missing: run `pnpm test:setup` to install the test programs');
      return;
    }
    expect(readFileSync(MAIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const cwd = mkdtempSync(join(tmpdir(), 'ftpkit-main-'));
    const child = spawn(process.execPath, [MAIN, '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FTPKIT_LOG_FORMAT: 'json' } });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed; stdout: ${out} stderr: ${err}`)), 15_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /(ftp:\/\/ftp:[^@\s]+@127\.0\.0\.1:\d+\/)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    try {
      expect(out).toMatch(/password: \S+/);
      expect(existsSync(join(cwd, 'ftp-data'))).toBe(true);
      writeFileSync(join(cwd, 'ftp-data', 'hello.txt'), 'hello from disk');
      const got = await curl([`${url}hello.txt`]);
      expect(got.stdout).toBe('hello from disk');
      const listing = await curl([url]);
      expect(listing.stdout).toContain('hello.txt');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(err).toContain('SIGTERM');
  });
});
