import { execFile, spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { havePyftpdlib, haveVsftpd, startPyftpdlib, startVsftpd, type TestFtpServer } from '@ftpkit/test-servers';

const execFileP = promisify(execFile);
const appDir = resolve(import.meta.dirname, '..');
const repoRoot = resolve(appDir, '../..');
const bin = join(appDir, 'dist/main.js');
const serverBin = join(repoRoot, 'apps/server/dist/main.js');

interface Result { code: number; stdout: string; stderr: string }

/** Runs the built `ftpkit` binary as a user would. */
function ftpkit(args: string[], opts: { env?: Record<string, string>; input?: string; cwd?: string } = {}): Promise<Result> {
  return new Promise((resolveRun) => {
    const child = spawn(bin, args, {
      cwd: opts.cwd ?? work,
      env: { PATH: process.env.PATH ?? '', HOME: home, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code: code ?? -1, stdout, stderr });
    });
  });
}

const sha = async (p: string): Promise<string> => createHash('sha256').update(await readFile(p)).digest('hex');

let work = '';
let home = '';
let py: TestFtpServer | undefined;
let vs: TestFtpServer | undefined;

beforeAll(async () => {
  // The tests run the built program: build it (turbo's cache makes this quick when nothing changed).
  await execFileP('flock', ['/tmp/ftpkit-build.lock', 'pnpm', 'turbo', 'run', 'build', '--filter', '@ftpkit/cli...', '--filter', '@ftpkit/ftpkit-server...'], { cwd: repoRoot, timeout: 300_000 });
  work = await mkdtemp(join(tmpdir(), 'ftpkit-cli-'));
  home = join(work, 'home');
  await mkdir(home);
  if (await havePyftpdlib()) py = await startPyftpdlib();
  if (haveVsftpd()) vs = await startVsftpd({ tls: true });
}, 360_000);

afterAll(async () => {
  await py?.stop();
  await vs?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const base = (s: TestFtpServer): string => `ftp://${s.user}@${s.host}:${s.port}`;
const pw = (s: TestFtpServer): Record<string, string> => ({ FTPKIT_PASSWORD: s.password });

describe('ftpkit (built binary)', () => {
  it('--help and --version exit 0; a bad subcommand exits non-zero', async () => {
    const help = await ftpkit(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['ls', 'get', 'put', 'cat', 'rm', 'mkdir', 'mv', 'mirror', 'shell']) expect(help.stdout).toContain(`${c} `);
    const v = await ftpkit(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect((await ftpkit(['frobnicate'])).code).not.toBe(0);
  });

  it('put, ls, get, cat, mv, mkdir -p, rm -r against pyftpdlib; --json output', async () => {
    if (!py) return;
    const s = py;
    const src = join(work, 'one.bin');
    await writeFile(src, randomBytes(300_000));
    expect((await ftpkit(['mkdir', '-p', `${base(s)}/x/y/z`], { env: pw(s) })).code).toBe(0);
    const put = await ftpkit(['put', '--json', src, `${base(s)}/x/y/`], { env: pw(s) });
    expect(put.code).toBe(0);
    expect(JSON.parse(put.stdout)).toMatchObject({ path: '/x/y/one.bin', bytes: 300_000 });
    // Not a terminal: no progress bar, nothing on stderr.
    expect(put.stderr).toBe('');
    const ls = await ftpkit(['ls', `${base(s)}/x/y`], { env: pw(s) });
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^- +300000 .* one\.bin$/m);
    expect(ls.stdout).toMatch(/^d .* z$/m);
    const lsj = await ftpkit(['ls', '--json', `${base(s)}/x/y`], { env: pw(s) });
    expect((JSON.parse(lsj.stdout) as Array<{ name: string }>).map((e) => e.name).sort()).toEqual(['one.bin', 'z']);
    expect((await ftpkit(['get', `${base(s)}/x/y/one.bin`, join(work, 'got.bin')], { env: pw(s) })).code).toBe(0);
    expect(await sha(join(work, 'got.bin'))).toBe(await sha(src));
    const cat = await ftpkit(['mv', `${base(s)}/x/y/one.bin`, 'two.bin'], { env: pw(s) });
    expect(cat.code).toBe(0);
    await writeFile(join(work, 'text.txt'), 'hello\nworld\n');
    await ftpkit(['put', join(work, 'text.txt'), `${base(s)}/text.txt`], { env: pw(s) });
    const out = await ftpkit(['cat', `${base(s)}/text.txt`], { env: pw(s) });
    expect(out).toMatchObject({ code: 0, stdout: 'hello\nworld\n' });
    expect((await ftpkit(['rm', `${base(s)}/text.txt`], { env: pw(s) })).code).toBe(0);
    expect((await ftpkit(['rm', '-r', `${base(s)}/x`], { env: pw(s) })).code).toBe(0);
    expect(existsSync(join(s.root, 'x'))).toBe(false);
  });

  it('ends quietly when the reader of its output goes away (ftpkit cat URL | head)', async () => {
    if (!py) return;
    const s = py;
    await writeFile(join(work, 'long.bin'), randomBytes(4 * 1024 * 1024));
    expect((await ftpkit(['put', join(work, 'long.bin'), `${base(s)}/long.bin`], { env: pw(s) })).code).toBe(0);
    const result = await new Promise<{ code: number | null; stderr: string }>((resolveRun) => {
      const child = spawn(bin, ['cat', `${base(s)}/long.bin`], { cwd: work, env: { PATH: process.env.PATH ?? '', HOME: home, ...pw(s) }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      // Like `head -c 1`: take the first chunk, then close the pipe.
      child.stdout.once('data', () => child.stdout.destroy());
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolveRun({ code, stderr });
      });
    });
    expect(result.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(result.code).toBe(0);
  });

  it('fails with its exit status (78 not found, 67 login) and one line naming the reply code, never the password', async () => {
    if (!py) return;
    const s = py;
    const r = await ftpkit(['get', `ftp://${s.user}:${encodeURIComponent(s.password)}@${s.host}:${s.port}/missing.bin`, join(work, 'nope')]);
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/550/);
    expect(r.stderr).not.toContain(s.password);
    const bad = await ftpkit(['ls', `${base(s)}/`], { env: { FTPKIT_PASSWORD: 'wrong-password' } });
    expect(bad.code).toBe(67);
    expect(bad.stderr).toMatch(/530/);
    expect(bad.stderr).not.toContain('wrong-password');
    const json = await ftpkit(['ls', '--json', `${base(s)}/nowhere`], { env: pw(s) });
    // pyftpdlib answers MLSD of a missing directory with 501, not a code that says "not found": exit 1.
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({ replyCode: expect.any(Number) });
  });

  it('reads credentials from ~/.netrc and from --password-stdin', async () => {
    if (!py) return;
    const s = py;
    await writeFile(join(home, '.netrc'), `machine ${s.host}\n  login ${s.user}\n  password "${s.password}"\n`);
    await chmod(join(home, '.netrc'), 0o600);
    const viaNetrc = await ftpkit(['ls', `ftp://${s.host}:${s.port}/`]);
    expect(viaNetrc.code).toBe(0);
    await rm(join(home, '.netrc'));
    const viaStdin = await ftpkit(['ls', '--password-stdin', `${base(s)}/`], { input: `${s.password}\n` });
    expect(viaStdin.code).toBe(0);
    // The shell reads its commands after the password line.
    const shell = await ftpkit(['shell', '--password-stdin', `${base(s)}/`], { input: `${s.password}\npwd\nexit\n` });
    expect(shell).toMatchObject({ code: 0, stdout: '/\n' });
  });

  it('resumes with get -c and put -c; downloads in segments', async () => {
    if (!py) return;
    const s = py;
    const src = join(work, 'resume.bin');
    await writeFile(src, randomBytes(4 * 1024 * 1024 + 5));
    await writeFile(join(work, 'head.bin'), (await readFile(src)).subarray(0, 1_000_000));
    expect((await ftpkit(['put', join(work, 'head.bin'), `${base(s)}/resume.bin`], { env: pw(s) })).code).toBe(0);
    const putc = await ftpkit(['put', '-c', '--json', src, `${base(s)}/resume.bin`], { env: pw(s) });
    expect(JSON.parse(putc.stdout)).toMatchObject({ offset: 1_000_000 });
    expect(await sha(join(s.root, 'resume.bin'))).toBe(await sha(src));
    const local = join(work, 'resume.local');
    await writeFile(local, (await readFile(src)).subarray(0, 123_456));
    const getc = await ftpkit(['get', '--continue', '--json', `${base(s)}/resume.bin`, local], { env: pw(s) });
    expect(JSON.parse(getc.stdout)).toMatchObject({ offset: 123_456 });
    expect(await sha(local)).toBe(await sha(src));
    const seg = await ftpkit(['get', '--segments', '3', '--json', `${base(s)}/resume.bin`, join(work, 'seg.bin')], { env: pw(s) });
    expect(seg.code).toBe(0);
    expect(JSON.parse(seg.stdout)).toMatchObject({ segments: 3 });
    expect(await sha(join(work, 'seg.bin'))).toBe(await sha(src));
    await truncate(local, 0);
  });

  it('mirrors a tree both ways (diff -r), with --dry-run, --delete and --parallel', async () => {
    if (!py) return;
    const s = py;
    const tree = join(work, 'tree');
    for (const d of ['a', 'a/b c', 'ü']) await mkdir(join(tree, d), { recursive: true });
    for (let i = 0; i < 30; i++) await writeFile(join(tree, ['a', 'a/b c', 'ü', ''][i % 4] ?? '', `f ${i}.txt`), randomBytes(i * 100));
    const up = await ftpkit(['mirror', '--reverse', '--parallel', '3', tree, `${base(s)}/m`], { env: pw(s) });
    expect(up.code).toBe(0);
    // 30 transfers share one AbortSignal: no listener-leak warning.
    expect(up.stderr).not.toMatch(/Warning/);
    const down = join(work, 'tree-down');
    const dry = await ftpkit(['mirror', '--dry-run', `${base(s)}/m`, down], { env: pw(s) });
    expect(dry.stdout).toContain('would transfer');
    expect(existsSync(join(down, 'a'))).toBe(false);
    expect((await ftpkit(['mirror', '--parallel', '3', `${base(s)}/m`, down], { env: pw(s) })).code).toBe(0);
    await execFileP('diff', ['-r', tree, down]);
    await rm(join(tree, 'a', 'b c'), { recursive: true });
    expect((await ftpkit(['mirror', '-R', '--delete', tree, `${base(s)}/m`], { env: pw(s) })).code).toBe(0);
    const again = await ftpkit(['mirror', '--delete', '--json', `${base(s)}/m`, down], { env: pw(s) });
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { actions: Array<{ type: string }> }).actions.every((a) => a.type === 'delete')).toBe(true);
    await execFileP('diff', ['-r', tree, down]);
  });

  it('runs the shell from piped stdin', async () => {
    if (!py) return;
    const s = py;
    const dir = join(work, 'shell');
    await mkdir(dir);
    await writeFile(join(dir, 'up.txt'), 'shell upload');
    const script = [
      'help', 'mkdir -p "sh dir/sub"', 'cd "sh dir"', 'pwd', 'put up.txt', 'ls', 'get up.txt back.txt',
      'mv up.txt moved.txt', 'ls', 'lls', 'rm moved.txt', 'nonsense', 'exit',
    ].join('\n');
    const r = await ftpkit(['shell', `${base(s)}/`], { env: pw(s), input: `${script}\n`, cwd: dir });
    expect(r.stdout).toContain('commands:');
    expect(r.stdout).toContain('/sh dir\n');
    expect(r.stdout).toMatch(/up\.txt/);
    expect(r.stdout).toMatch(/moved\.txt/);
    expect(r.stdout).toMatch(/back\.txt/);
    expect(await readFile(join(dir, 'back.txt'), 'utf8')).toBe('shell upload');
    expect(r.stderr).toMatch(/unknown command "nonsense"/);
    expect(r.code).toBe(1);
  });

  it('shell in a pseudo-terminal (script): Tab completes remote names, progress bar on the terminal', async () => {
    if (!py) return;
    const s = py;
    const dir = join(work, 'pty');
    await mkdir(dir);
    await writeFile(join(s.root, 'completion-target.txt'), 'completed!');
    // `script` gives the shell a terminal; keystrokes are fed slowly so each reaches the prompt.
    const keys = "sleep 2; printf 'get compl\\t'; sleep 1; printf '\\r'; sleep 2; printf 'exit\\r'; sleep 1";
    const cmd = `(${keys}) | script -qec "${bin} shell ${base(s)}/" /dev/null`;
    const r = await new Promise<Result>((done) => {
      execFile('bash', ['-c', cmd], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: home, ...pw(s) }, timeout: 30_000 }, (err, stdout, stderr) => {
        done({ code: err ? 1 : 0, stdout, stderr });
      });
    });
    expect(r.stdout).toContain('get completion-target.txt');
    expect(r.stdout).toMatch(/100% 10 B\/10 B/);
    expect(await readFile(join(dir, 'completion-target.txt'), 'utf8')).toBe('completed!');
  });

  it('TLS against vsftpd (session reuse required): --tls --ca works, without --ca fails, --insecure works; --active', async () => {
    if (!vs) return;
    const s = vs;
    const src = join(work, 'tls.bin');
    await writeFile(src, randomBytes(200_000));
    const put = await ftpkit(['put', '--tls', '--ca', s.caFile ?? '', src, `${base(s)}/tls.bin`], { env: pw(s) });
    expect(put).toMatchObject({ code: 0 });
    const get = await ftpkit(['get', '--tls', '--active', '--ca', s.caFile ?? '', `${base(s)}/tls.bin`, join(work, 'tls.back')], { env: pw(s) });
    expect(get.code).toBe(0);
    expect(await sha(join(work, 'tls.back'))).toBe(await sha(src));
    const untrusted = await ftpkit(['ls', '--tls', `${base(s)}/`], { env: pw(s) });
    expect(untrusted.code).toBe(60);
    expect(untrusted.stderr).toMatch(/certificate/i);
    expect((await ftpkit(['ls', '--tls', '--insecure', `${base(s)}/`], { env: pw(s) })).stdout).toContain('tls.bin');
    expect((await ftpkit(['ls', '--active', `${base(s)}/`], { env: pw(s) })).stdout).toContain('tls.bin');
  });
});

/** A free port on 127.0.0.1 (the server program takes a port number, not 0 and a report). */
function freePort(): Promise<number> {
  return new Promise<number>((done) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => done(p));
    });
  });
}

interface OwnServer { url: string; root: string; env: Record<string, string>; stop: () => void }

/** The built `ftpkit-server` over `root`, user bob, optionally with a self-signed TLS certificate. */
async function startOwnServer(root: string, tlsDir?: string): Promise<OwnServer> {
  await mkdir(root, { recursive: true });
  const port = await freePort();
  const tls = tlsDir ? ['--tls', 'self-signed', '--tls-dir', tlsDir] : [];
  const server = spawn(process.execPath, [serverBin, '--host', '127.0.0.1', '--port', String(port), '--root', root,
    '--user', 'bob:own-pw-1', ...tls, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let serverErr = '';
  server.stderr.on('data', (d: Buffer) => { if (serverErr.length < 10_000) serverErr += d.toString(); });
  const stop = (): void => {
    server.stderr.destroy();
    server.kill('SIGTERM');
  };
  try {
    // Generous: it may make a certificate first, and the test machine may be busy.
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`ftpkit-server exited with ${server.exitCode}: ${serverErr}`);
      const up = await new Promise<boolean>((done) => {
        const s = connect(port, '127.0.0.1', () => { s.destroy(); done(true); });
        s.on('error', () => done(false));
      });
      if (up) break;
      if (Date.now() > deadline) throw new Error(`ftpkit-server did not start: ${serverErr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    stop();
    throw err;
  }
  return { url: `ftp://bob@127.0.0.1:${port}`, root, env: { FTPKIT_PASSWORD: 'own-pw-1' }, stop };
}

describe('ftpkit against ftpkit-server (the project\'s own server)', () => {
  it('put, segmented get verified by HASH, resume, mirror both ways, over TLS', async () => {
    const own = await startOwnServer(join(work, 'own-root'), join(work, 'own-tls'));
    try {
      const { env, url } = own;
      const src = join(work, 'own.bin');
      await writeFile(src, randomBytes(6 * 1024 * 1024 + 7));
      expect((await ftpkit(['put', '--tls', '--insecure', src, `${url}/own.bin`], { env })).code).toBe(0);
      const seg = await ftpkit(['get', '--segments', '3', '--json', `${url}/own.bin`, join(work, 'own.seg')], { env });
      expect(seg.code).toBe(0);
      expect(JSON.parse(seg.stdout)).toMatchObject({ segments: 3 });
      expect(await sha(join(work, 'own.seg'))).toBe(await sha(src));
      await writeFile(join(work, 'own.part'), (await readFile(src)).subarray(0, 4321));
      expect((await ftpkit(['get', '-c', '--tls', '--insecure', '--active', `${url}/own.bin`, join(work, 'own.part')], { env })).code).toBe(0);
      expect(await sha(join(work, 'own.part'))).toBe(await sha(src));
      const tree = join(work, 'own-tree');
      await mkdir(join(tree, 'a b', 'c'), { recursive: true });
      for (let i = 0; i < 12; i++) await writeFile(join(tree, i % 2 ? 'a b' : 'a b/c', `f${i}`), randomBytes(i * 10));
      expect((await ftpkit(['mirror', '-R', '--parallel', '2', tree, `${url}/tree`], { env })).code).toBe(0);
      expect((await ftpkit(['mirror', '--parallel', '2', `${url}/tree`, join(work, 'own-down')], { env })).code).toBe(0);
      await execFileP('diff', ['-r', tree, join(work, 'own-down')]);
    } finally {
      own.stop();
    }
  }, 180_000);
});

describe('ftpkit never loses local or remote files on a failure (ftpkit-server)', () => {
  let own: OwnServer;
  beforeAll(async () => {
    own = await startOwnServer(join(work, 'safety-root'));
  }, 120_000);
  afterAll(() => own?.stop());

  /** Every file under `dir` (relative path -> sha256), to compare before and after. */
  async function snapshot(dir: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of (await readdir(dir, { recursive: true })).sort()) {
      const p = join(dir, name);
      if ((await stat(p)).isFile()) out[name] = await sha(p);
    }
    return out;
  }

  async function seed(dir: string): Promise<void> {
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'keep.txt'), 'precious');
    await writeFile(join(dir, 'sub', 'deep.bin'), randomBytes(5000));
  }

  it('mirror --delete from a missing remote source fails and deletes nothing; --dry-run creates nothing', async () => {
    const target = join(work, 'mirror-target');
    await seed(target);
    const before = await snapshot(target);
    const r = await ftpkit(['mirror', '--delete', `${own.url}/no-such-dir`, target], { env: own.env });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/550/);
    expect(r.stdout).not.toMatch(/removed/);
    expect(await snapshot(target)).toEqual(before);

    const fresh = join(work, 'mirror-never-made');
    const dry = await ftpkit(['mirror', '--dry-run', '--delete', `${own.url}/no-such-dir`, fresh], { env: own.env });
    expect(dry.code).toBe(78);
    expect(existsSync(fresh)).toBe(false);
    // A source that exists: --dry-run still creates nothing locally.
    await mkdir(join(own.root, 'real', 'x'), { recursive: true });
    await writeFile(join(own.root, 'real', 'x', 'a.txt'), 'a');
    const dry2 = await ftpkit(['mirror', '--dry-run', `${own.url}/real`, fresh], { env: own.env });
    expect(dry2.code).toBe(0);
    expect(dry2.stdout).toContain('would transfer x/a.txt');
    expect(existsSync(fresh)).toBe(false);
  });

  it('mirror --reverse --delete from a missing local source fails and deletes nothing remote', async () => {
    const remoteDir = join(own.root, 'up-target');
    await seed(remoteDir);
    const before = await snapshot(remoteDir);
    for (const extra of [[], ['--dry-run']]) {
      const r = await ftpkit(['mirror', '--reverse', '--delete', ...extra, join(work, 'no-such-local'), `${own.url}/up-target`], { env: own.env });
      expect(r.code).toBe(23);
      expect(r.stderr).toMatch(/no-such-local/);
      expect(r.stdout).toBe('');
    }
    expect(await snapshot(remoteDir)).toEqual(before);
    expect(existsSync(join(work, 'no-such-local'))).toBe(false);
  });

  it('mirror --delete prints each file it removed', async () => {
    const source = join(work, 'mirror-src');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'only.txt'), 'only');
    const remoteDir = join(own.root, 'del-target');
    await seed(remoteDir);
    const r = await ftpkit(['mirror', '-R', '--delete', '--quiet', source, `${own.url}/del-target`], { env: own.env });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('removed')).sort()).toEqual(['removed keep.txt', 'removed sub', 'removed sub/deep.bin']);
    expect(await snapshot(remoteDir)).toEqual({ 'only.txt': await sha(join(source, 'only.txt')) });
  });

  it('get of a missing file leaves an existing local file byte-identical and creates nothing', async () => {
    const dir = join(work, 'get-safety');
    await mkdir(dir, { recursive: true });
    const precious = join(dir, 'precious.txt');
    await writeFile(precious, randomBytes(70_000));
    const before = await sha(precious);
    for (const extra of [[], ['--segments', '3']]) {
      const r = await ftpkit(['get', ...extra, `${own.url}/typo.txt`, precious], { env: own.env });
      expect(r.code).toBe(78);
      expect(r.stderr).toMatch(/550/);
      expect(await sha(precious)).toBe(before);
    }
    const r2 = await ftpkit(['get', `${own.url}/typo.txt`, join(dir, 'new.txt')], { env: own.env });
    expect(r2.code).toBe(78);
    expect((await readdir(dir)).sort()).toEqual(['precious.txt']);
  });

  it('get into a missing directory fails naming it unless --create-dirs', async () => {
    await writeFile(join(own.root, 'there.txt'), 'there');
    const missing = join(work, 'not', 'yet');
    const r = await ftpkit(['get', `${own.url}/there.txt`, join(missing, 'x.txt')], { env: own.env });
    expect(r.code).toBe(23);
    expect(r.stderr).toContain(missing);
    expect(r.stderr).toContain('--create-dirs');
    expect(existsSync(join(work, 'not'))).toBe(false);
    const ok = await ftpkit(['get', '--create-dirs', `${own.url}/there.txt`, join(missing, 'x.txt')], { env: own.env });
    expect(ok.code).toBe(0);
    expect(await readFile(join(missing, 'x.txt'), 'utf8')).toBe('there');
    // A target that is not a regular file is written as it is, never replaced by a rename.
    expect((await ftpkit(['get', `${own.url}/there.txt`, '/dev/null'], { env: own.env })).code).toBe(0);
    expect((await ftpkit(['get', `${own.url}/typo.txt`, '/dev/null'], { env: own.env })).code).toBe(78);
    expect((await stat('/dev/null')).isCharacterDevice()).toBe(true);
    expect((await readdir('/dev')).filter((f) => f.includes('.ftpkit-'))).toEqual([]);
  });
});

describe('ftpkit patterns (get, mget, mput) and the shell\'s cat, mirror, quote, site, !cmd (ftpkit-server)', () => {
  let own: OwnServer;
  beforeAll(async () => {
    own = await startOwnServer(join(work, 'glob-root'));
    const dir = join(own.root, 'dir');
    await mkdir(join(dir, 'sub.txt'), { recursive: true });
    for (const name of ['a.txt', 'b.txt', 'c.log', '.hidden.txt', 'x*y.txt', 'report (1).txt']) await writeFile(join(dir, name), `content of ${name}`);
  }, 120_000);
  afterAll(() => own?.stop());

  /** Every file under `dir`, relative, sorted. */
  const files = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true })).sort();

  it('get URL/*.txt downloads exactly the matching files; no match exits 78 and creates nothing', async () => {
    const out = join(work, 'glob-get');
    await mkdir(out);
    const r = await ftpkit(['get', `${own.url}/dir/*.txt`, out], { env: own.env });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    // Not the dot file, not the directory sub.txt, and no file literally named "*.txt".
    expect(await files(out)).toEqual(['a.txt', 'b.txt', 'report (1).txt', 'x*y.txt']);
    for (const name of await files(out)) expect(await readFile(join(out, name), 'utf8')).toBe(`content of ${name}`);

    const cls = join(work, 'glob-class');
    const json = await ftpkit(['get', '--json', '--create-dirs', `${own.url}/dir/[ab].txt`, cls], { env: own.env });
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { files: Array<{ path: string }> }).files.map((f) => f.path)).toEqual(['/dir/a.txt', '/dir/b.txt']);
    expect(await files(cls)).toEqual(['a.txt', 'b.txt']);

    // %2A is a literal "*": only the file named x*y.txt.
    const lit = join(work, 'glob-literal');
    await mkdir(lit);
    expect((await ftpkit(['get', `${own.url}/dir/x%2Ay.txt`, lit], { env: own.env })).code).toBe(0);
    expect(await files(lit)).toEqual(['x*y.txt']);

    const none = join(work, 'glob-none');
    await mkdir(none);
    const miss = await ftpkit(['get', `${own.url}/dir/*.zip`, none], { env: own.env });
    expect(miss.code).toBe(78);
    expect(miss.stderr).toBe('ftpkit: no file matches "*.zip" in /dir\n');
    const dirsOnly = await ftpkit(['get', `${own.url}/dir/sub*`, none], { env: own.env });
    expect(dirsOnly.code).toBe(78);
    expect(dirsOnly.stderr).toMatch(/only directories match/);
    expect(await files(none)).toEqual([]);
  });

  it('a file of a batch that fails does not stop the others; the exit status says so', async () => {
    const out = join(work, 'glob-partial');
    // A directory in the way of b.txt: that one download must fail, a.txt and the others must still arrive.
    await mkdir(join(out, 'b.txt'), { recursive: true });
    const r = await ftpkit(['get', `${own.url}/dir/[abc].*`, out], { env: own.env });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ftpkit: \/dir\/b\.txt: /), 'ftpkit: 1 of 3 files failed']);
    expect(await files(out)).toEqual(['a.txt', 'b.txt', 'c.log']);
    expect(await readFile(join(out, 'c.log'), 'utf8')).toBe('content of c.log');
    expect((await stat(join(out, 'b.txt'))).isDirectory()).toBe(true);
  });

  it('mput uploads every local match into a remote directory; mget fetches several patterns', async () => {
    const src = join(work, 'mput-src');
    await mkdir(src);
    for (const name of ['1.log', '2.log', 'keep.txt', 'x.bin']) await writeFile(join(src, name), `local ${name}`);
    await mkdir(join(own.root, 'up'));
    // Quoted: ftpkit expands the pattern itself; the plain argument is taken as it is.
    const up = await ftpkit(['mput', `${src}/*.log`, join(src, 'x.bin'), `${own.url}/up/`], { env: own.env });
    expect(up).toMatchObject({ code: 0, stderr: '' });
    expect(await files(join(own.root, 'up'))).toEqual(['1.log', '2.log', 'x.bin']);
    expect(await readFile(join(own.root, 'up', '2.log'), 'utf8')).toBe('local 2.log');

    const noMatch = await ftpkit(['mput', `${src}/*.zip`, `${own.url}/up/`], { env: own.env });
    expect(noMatch.code).toBe(78);
    expect(noMatch.stderr).toContain('no file matches');

    const down = join(work, 'mget-out');
    const r = await ftpkit(['mget', '-O', down, '--create-dirs', `${own.url}/up/*.log`, `${own.url}/dir/c.log`], { env: own.env });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(await files(down)).toEqual(['1.log', '2.log', 'c.log']);
    expect((await ftpkit(['mput', `${own.url}/up/`], { env: own.env })).code).toBe(2);
    // A directory URL is not a file: no local file named "up" or "" appears.
    const dirUrl = await ftpkit(['mget', '-O', down, `${own.url}/up/`], { env: own.env });
    // A directory where a file is needed: a usage error, as for get.
    expect(dirUrl.code).toBe(2);
    expect(dirUrl.stderr).toMatch(/names a directory/);
    expect(await files(down)).toEqual(['1.log', '2.log', 'c.log']);
  });

  it('the shell: mget/mput and get/put with patterns, cat, mirror both ways, quote SYST, site CHMOD, !echo', async () => {
    const dir = join(work, 'glob-shell');
    await mkdir(join(dir, 'loc'), { recursive: true });
    for (const name of ['l1.log', 'l2.log', 'skip.txt']) await writeFile(join(dir, 'loc', name), `shell ${name}`);
    const script = [
      'cd dir', 'mget [ab].txt c.*', 'cat a.txt "x\\*y.txt"', 'quote SYST', 'site CHMOD 600 b.txt', '!echo "from $0: $((6 * 7))"',
      'mkdir /shell-up', 'cd /shell-up', 'mput loc/*.log', 'put loc/skip.*', 'cd /dir', 'get "report (1)*" got',
      'mirror /dir mirrored', 'mirror -R loc /shell-mirror', 'quote PASV', 'quote type a', 'get b.txt b-after-quote.txt', 'mget *.none', '!exit 3', 'exit',
    ].join('\n');
    await mkdir(join(dir, 'got'));
    const r = await ftpkit(['shell', `${own.url}/`], { env: own.env, input: `${script}\n`, cwd: dir });
    // cat writes the files as they are (no newline at their end), then quote prints the reply.
    expect(r.stdout).toContain('content of a.txtcontent of x*y.txt215 ');
    expect(r.stdout).toMatch(/^200 .*CHMOD/m);
    expect(r.stdout).toContain('from /bin/sh: 42\n');
    expect((await stat(join(own.root, 'dir', 'b.txt'))).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['a.txt', 'b-after-quote.txt', 'b.txt', 'c.log', 'got', 'loc', 'mirrored']);
    expect(await files(join(dir, 'got'))).toEqual(['report (1).txt']);
    expect(await files(join(own.root, 'shell-up'))).toEqual(['l1.log', 'l2.log', 'skip.txt']);
    await execFileP('diff', ['-r', join(own.root, 'dir'), join(dir, 'mirrored')]);
    await execFileP('diff', ['-r', join(dir, 'loc'), join(own.root, 'shell-mirror')]);
    // Four failed commands, each named on its own line; the rest went on.
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^ftpkit: quote: PASV is not sent by quote/),
      expect.stringMatching(/^ftpkit: quote: TYPE is not sent by quote/),
      'ftpkit: mget: no file matches "*.none" in /dir',
      'ftpkit: !exit: exited with status 3',
    ]);
    expect(r.code).toBe(1);
  });

  it('the shell in a pseudo-terminal (script): Tab completes mget and remote names; !cmd gets the terminal, Ctrl-C stops the command and not the shell', async () => {
    const dir = join(work, 'glob-pty');
    await mkdir(dir);
    // Tab completes the new command names and, after mget, remote names.
    const keys = "sleep 2; printf 'mg\\t'; sleep 1; printf ' c.l\\t'; sleep 1; printf '\\r'; sleep 2; "
      + "printf '!tty\\r'; sleep 2; printf '!sleep 30\\r'; sleep 2; printf '\\003'; sleep 2; printf 'pwd\\r'; sleep 2; printf 'exit\\r'; sleep 1";
    const cmd = `(${keys}) | script -qec "${bin} shell ${own.url}/dir" /dev/null`;
    const r = await new Promise<Result>((done) => {
      execFile('bash', ['-c', cmd], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: home, ...own.env }, timeout: 60_000 }, (err, stdout, stderr) => {
        done({ code: err ? 1 : 0, stdout, stderr });
      });
    });
    expect(r.stdout).toContain('mget c.log');
    expect(await readFile(join(dir, 'c.log'), 'utf8')).toBe('content of c.log');
    expect(r.stdout).toMatch(/^\/dev\/pts\/\d+\r?$/m);
    expect(r.stdout).toContain('ftpkit: !sleep: killed by SIGINT');
    // The shell is still there after Ctrl-C: pwd answers.
    expect(r.stdout).toMatch(/^\/dir\r?$/m);
  }, 90_000);
});
