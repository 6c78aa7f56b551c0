import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.js';
import {
  buildPrograms, PASSWORD, runFtpkit, scratch, startInProcessServer, type InProcessServer, type RunOptions,
} from './test-support/cli-harness.js';

let s: InProcessServer;
let tls: InProcessServer;
let failing: InProcessServer;
let where: { dir: string; home: string; cleanup: () => Promise<void> };
let run: (args: string[], env?: Record<string, string>, extra?: Partial<RunOptions>) => ReturnType<typeof runFtpkit>;
const pw = { FTPKIT_PASSWORD: PASSWORD };

beforeAll(async () => {
  await buildPrograms();
  where = await scratch();
  s = await startInProcessServer();
  tls = await startInProcessServer({ tls: true });
  failing = await startInProcessServer({ failReadsAfter: 256 * 1024 });
  run = (args, env = {}, extra = {}) => runFtpkit(args, { cwd: where.dir, home: where.home, env, ...extra });
}, 360_000);

afterAll(async () => {
  await s?.close();
  await tls?.close();
  await failing?.close();
  await where?.cleanup();
});

/** The one line a failure prints (commander adds a hint line to usage errors). */
function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

describe('ftpkit exit codes (built program; the table in the README)', () => {
  it('the README lists every exit status the program uses, and no other', async () => {
    const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(listed).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });

  it('usage errors exit 2 with one clear line: missing argument, not a URL, bad numbers', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['get'], /missing required argument 'url'/],
      [['put', 'only-one'], /missing required argument 'url'/],
      [['ls', 'not a url'], /not a URL/],
      [['ls', 'http://127.0.0.1/'], /unsupported scheme/],
      [['mirror', '--parallel', 'abc', `${s.url}/`, join(where.dir, 'm')], /--parallel.*'abc' is invalid/],
      [['mirror', '--parallel', '0', `${s.url}/`, join(where.dir, 'm')], /--parallel.*'0' is invalid/],
      [['get', '--segments', 'abc', `${s.url}/a`], /--segments.*'abc' is invalid/],
      [['get', '--segments', '0', `${s.url}/a`], /--segments.*'0' is invalid/],
      [['get', '--segments', '-3', `${s.url}/a`], /--segments.*'-3' is invalid/],
      [['get', '--segments', '2.5', `${s.url}/a`], /--segments.*'2.5' is invalid/],
      [['ls', '--timeout', 'abc', `${s.url}/`], /--timeout.*'abc' is invalid/],
      [['ls', '--timeout', '0', `${s.url}/`], /--timeout.*'0' is invalid/],
      [['ls', '--timeout', '-1', `${s.url}/`], /--timeout.*'-1' is invalid/],
      [['ls', '--progress', 'fancy', `${s.url}/`], /--progress.*'fancy' is invalid/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args, pw);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(firstLine(r.stderr)).toMatch(message);
    }
    // Nothing was started: no mirror directory made.
    expect(existsSync(join(where.dir, 'm'))).toBe(false);
  });

  it('a refused connection exits 7, a timeout 28 (--timeout), well before the default', async () => {
    const closed = await new Promise<number>((done) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as AddressInfo).port;
        srv.close(() => done(port));
      });
    });
    const refused = await run(['ls', `ftp://127.0.0.1:${closed}/`]);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toMatch(/ECONNREFUSED/);

    // A server that accepts and never greets.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((sock) => { sockets.add(sock); });
    const port = await new Promise<number>((done) => silent.listen(0, '127.0.0.1', () => done((silent.address() as AddressInfo).port)));
    try {
      const started = Date.now();
      const r = await run(['ls', '--timeout', '1', `ftp://127.0.0.1:${port}/`], {}, { killAfterMs: 20_000 });
      expect(r.code).toBe(28);
      expect(r.stderr).toMatch(/timeout/);
      // 1 s asked for; the default (15 s connect, 30 s reply) would be far longer.
      expect(Date.now() - started).toBeLessThan(12_000);
    } finally {
      for (const sock of sockets) sock.destroy();
      silent.close();
    }
  }, 60_000);

  it('a refused login exits 67, a missing file 78, a refused write 9', async () => {
    const login = await run(['ls', `${s.url}/`], { FTPKIT_PASSWORD: 'wrong' });
    expect(login.code).toBe(67);
    expect(login.stderr).toMatch(/530/);
    const missing = await run(['get', `${s.url}/missing.bin`, join(where.dir, 'missing.bin')], pw);
    expect(missing.code).toBe(78);
    expect(missing.stderr).toMatch(/550/);
    expect((await run(['ls', `${s.url}/no/such/dir`], pw)).code).toBe(78);
    await writeFile(join(where.dir, 'up.txt'), 'up');
    const denied = await run(['put', join(where.dir, 'up.txt'), `ftp://reader@127.0.0.1:${s.port}/up.txt`], { FTPKIT_PASSWORD: 'r' });
    expect(denied.code).toBe(9);
    expect(denied.stderr).toMatch(/55\d/);
    // --json failures carry the exit code too.
    const json = await run(['get', '--json', `${s.url}/missing.bin`, join(where.dir, 'missing.bin')], pw);
    expect(json.code).toBe(78);
    expect(JSON.parse(json.stderr)).toMatchObject({ exitCode: 78, replyCode: 550 });
  });

  it('a transfer cut by the server exits 18; a local file that cannot be read or written 23', async () => {
    await writeFile(join(failing.root, 'big.bin'), randomBytes(1024 * 1024));
    const cut = await run(['get', `ftp://bob@127.0.0.1:${failing.port}/big.bin`, join(where.dir, 'big.bin')], pw);
    expect(cut.code).toBe(18);
    expect(cut.stderr).toMatch(/45\d|42\d/);
    expect(existsSync(join(where.dir, 'big.bin'))).toBe(false);

    const noLocal = await run(['put', join(where.dir, 'no-such-local.bin'), `${s.url}/x.bin`], pw);
    expect(noLocal.code).toBe(23);
    expect(noLocal.stderr).toMatch(/no-such-local/);
    await writeFile(join(s.root, 'there.txt'), 'there');
    await mkdir(join(where.dir, 'blocker'));
    await writeFile(join(where.dir, 'blocker', 'file'), 'a file, not a directory');
    const noDir = await run(['get', `${s.url}/there.txt`, join(where.dir, 'missing-dir', 'x.txt')], pw);
    expect(noDir.code).toBe(23);
    const notDir = await run(['get', '--create-dirs', `${s.url}/there.txt`, join(where.dir, 'blocker', 'file', 'x.txt')], pw);
    expect(notDir.code).toBe(23);
  });

  it('an untrusted certificate exits 60; with --ca the same command works', async () => {
    const url = `ftpes://bob@127.0.0.1:${tls.port}/`;
    const untrusted = await run(['ls', url], pw);
    expect(untrusted.code).toBe(60);
    expect(untrusted.stderr).toMatch(/certificate/i);
    expect((await run(['ls', '--ca', tls.caFile ?? '', url], pw)).code).toBe(0);
  });
});
