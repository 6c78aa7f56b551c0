import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPrograms, PASSWORD, runFtpkit, scratch, startInProcessServer, type InProcessServer, type RunOptions,
} from './test-support/cli-harness.js';

let s: InProcessServer;
let tls: InProcessServer;
let where: { dir: string; home: string; cleanup: () => Promise<void> };
let run: (args: string[], extra?: Partial<RunOptions>) => ReturnType<typeof runFtpkit>;
const pw = { FTPKIT_PASSWORD: PASSWORD };
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  await buildPrograms();
  where = await scratch();
  s = await startInProcessServer();
  tls = await startInProcessServer({ tls: true });
  run = (args, extra = {}) => runFtpkit(args, { cwd: where.dir, home: where.home, env: pw, ...extra });
}, 360_000);

afterAll(async () => {
  await s?.close();
  await tls?.close();
  await where?.cleanup();
});

describe('ftpkit habits (built program)', () => {
  it('ftpes:// is explicit TLS (AUTH TLS on the plain port); ftps:// stays implicit', async () => {
    const ca = tls.caFile ?? '';
    const src = randomBytes(300_000);
    await writeFile(join(where.dir, 'tls-up.bin'), src);
    // The server refuses a login before AUTH TLS: these only work over TLS.
    const put = await run(['put', '--ca', ca, join(where.dir, 'tls-up.bin'), `ftpes://bob@127.0.0.1:${tls.port}/tls.bin`]);
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    expect(sha(await readFile(join(tls.root, 'tls.bin')))).toBe(sha(src));
    const ls = await run(['ls', '--ca', ca, `ftpes://bob@127.0.0.1:${tls.port}/`]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain('tls.bin');
    // Plain ftp:// to the same port is refused (534 before AUTH TLS): ftpes really upgraded.
    const plain = await run(['ls', `ftp://bob@127.0.0.1:${tls.port}/`]);
    expect(plain.code).toBe(67);
    expect(plain.stderr).toMatch(/534/);
    // ftps:// is TLS from the first byte (curl's meaning), on the implicit port.
    const implicit = await run(['get', '--ca', ca, `ftps://bob@127.0.0.1:${tls.implicitPort}/tls.bin`, '-']);
    expect(implicit.code).toBe(0);
    expect(sha(implicit.stdoutBytes)).toBe(sha(src));
  });

  it('get URL - writes the file to stdout (progress on stderr); put - URL reads stdin', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 3);
    await writeFile(join(s.root, 'out.bin'), data);
    const before = await readdir(where.dir);
    const got = await run(['get', '--progress', 'json', `${s.url}/out.bin`, '-']);
    expect(got.code).toBe(0);
    expect(sha(got.stdoutBytes)).toBe(sha(data));
    expect(got.stdoutBytes.length).toBe(data.length);
    // Progress went to stderr, as JSON lines; no file named "-" (or anything else) appeared.
    const last = JSON.parse(got.stderr.trim().split('\n').at(-1) ?? '{}') as { progress?: { bytes: number; total: number } };
    expect(last.progress).toMatchObject({ bytes: data.length, total: data.length });
    expect(await readdir(where.dir)).toEqual(before);

    const text = Buffer.from('from a pipe\n'.repeat(50_000));
    const put = await run(['put', '-', `${s.url}/from-stdin.txt`], { input: text });
    expect(put.code).toBe(0);
    expect(sha(await readFile(join(s.root, 'from-stdin.txt')))).toBe(sha(text));
    expect(existsSync(join(where.dir, '-'))).toBe(false);

    // Both ends want stdin, or stdout carries the file and the JSON result: usage errors.
    expect((await run(['put', '--password-stdin', '-', `${s.url}/x.txt`], { input: 'pw\n' })).code).toBe(2);
    expect((await run(['put', '-', `${s.url}/dir/`], { input: 'x' })).code).toBe(2);
    expect((await run(['get', '--json', `${s.url}/out.bin`, '-'])).code).toBe(2);
    expect((await run(['get', '--segments', '2', `${s.url}/out.bin`, '-'])).code).toBe(2);
  });

  it('get of a directory (URL/dir/ or URL/dir) fails clearly and creates no file', async () => {
    await mkdir(join(s.root, 'adir', 'sub'), { recursive: true });
    await writeFile(join(s.root, 'adir', 'f.txt'), 'f');
    const cwd = join(where.dir, 'getdir');
    await mkdir(cwd);
    for (const url of [`${s.url}/adir/`, `${s.url}/adir`, `${s.url}/`, `${s.url}/adir/sub`]) {
      const r = await run(['get', url], { cwd });
      expect({ url, code: r.code }).toEqual({ url, code: 2 });
      expect(r.stderr).toMatch(/is a directory.*mirror/);
      expect(await readdir(cwd)).toEqual([]);
    }
    // With an explicit local name too, and to stdout.
    expect((await run(['get', `${s.url}/adir/`, join(cwd, 'named')])).code).toBe(2);
    expect((await run(['get', `${s.url}/adir`, '-'])).stdout).toBe('');
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('upload progress follows what the server has read (rate-limited @ftpkit/server)', () => {
  let slow: InProcessServer;
  const LIMIT = 2 * 1024 * 1024;
  beforeAll(async () => {
    slow = await startInProcessServer({ uploadBytesPerSecond: LIMIT });
  });
  afterAll(async () => {
    await slow?.close();
  });

  it('never reports more than the server has taken, 100% only after it has it all, and a plausible rate', async () => {
    const size = 12 * 1024 * 1024;
    const src = join(where.dir, 'slow.bin');
    await writeFile(src, randomBytes(size));
    let serverDoneAt = 0;
    slow.server.on('transfer-end', () => { serverDoneAt = Date.now(); });
    const seen: Array<{ bytes: number; serverBytes: number; rate: number | null; at: number }> = [];
    const r = await runFtpkit(['put', '--progress', 'json', src, `${slow.url}/slow.bin`], {
      cwd: where.dir, home: where.home, env: pw,
      onStderrLine: (line) => {
        const p = (JSON.parse(line) as { progress: { bytes: number; bytesPerSecond: number | null } }).progress;
        // Read at arrival, after the line was written: the server's count can only have grown since.
        seen.push({ bytes: p.bytes, serverBytes: slow.uploadedBytes(), rate: p.bytesPerSecond, at: Date.now() });
      },
    });
    expect(r.code).toBe(0);
    expect(seen.length).toBeGreaterThan(1);
    for (const p of seen) {
      if (p.bytes < size) expect(p.bytes).toBeLessThanOrEqual(p.serverBytes);
      // The limit, with room for the server's token-bucket burst; never the hundreds of MiB/s of socket buffers.
      if (p.rate !== null) expect(p.rate).toBeLessThanOrEqual(3 * LIMIT);
    }
    // Something between 0 and 100% was shown while the server read.
    expect(seen.some((p) => p.bytes > 0 && p.bytes < size)).toBe(true);
    const final = seen.filter((p) => p.bytes === size);
    expect(final).toHaveLength(1);
    expect(serverDoneAt).toBeGreaterThan(0);
    expect(final[0]?.at ?? 0).toBeGreaterThanOrEqual(serverDoneAt);
  }, 60_000);

  it('Ctrl-C during a transfer aborts it and exits 130', async () => {
    const src = join(where.dir, 'interrupted.bin');
    await writeFile(src, randomBytes(12 * 1024 * 1024));
    let sent = false;
    const r = await runFtpkit(['put', '--progress', 'json', src, `${slow.url}/interrupted.bin`], {
      cwd: where.dir, home: where.home, env: pw,
      onStderrLine: (line, kill) => {
        if (!sent && line.startsWith('{"progress"')) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/aborted/);
  }, 60_000);
});
