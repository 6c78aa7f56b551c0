import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UploadMode } from '@ftpkit/storage';
import { startS3rver, type S3rverProcess } from '@ftpkit/storage-s3/testing';
import { curl, programReady, s3Env, startProgram, type ProgramProcess } from '../../../apps/server/src/test-support/s3-program.js';
import { payload, sha256, tempDir } from './harness.js';
import { openTransfer, repliesUntilClosed, sleep, transferDown, transferUp } from './faults-support.js';
import { RawClient } from './raw-client.js';

// Issue 15, through the built ftpkit-server: a client process SIGKILLed mid-upload (its sockets
// end with a plain FIN, in either order), the server stopped (SIGTERM drain, SIGKILL then restart), and a
// resume after a failed atomic overwrite. What a client sees is in docs/production.md.

const BUCKET = 'commit';
const OLD = payload(1024 * 1024, 71);
const NEW = payload(2 * 1024 * 1024, 72);
const SENT = 512 * 1024;

type Kind = 'local' | 'memory' | 's3';

let s3: S3rverProcess | undefined;
let ready = false;
const running: ProgramProcess[] = [];

beforeAll(async () => {
  ready = programReady();
  if (ready) s3 = await startS3rver({ buckets: [BUCKET] });
}, 60_000);
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
});
afterAll(async () => {
  await s3?.stop();
});

let prefixes = 0;
/** The built program; `root` is the directory (local) or the key prefix (s3). */
async function start(kind: Kind, mode: UploadMode, root: string, extra: string[] = []): Promise<ProgramProcess> {
  const storage =
    kind === 'local'
      ? ['--root', root]
      : kind === 'memory'
        ? ['--storage', 'memory']
        : ['--storage', 's3', '--s3-bucket', BUCKET, '--s3-prefix', root, '--s3-endpoint', s3!.endpoint, '--s3-region', 'us-east-1', '--s3-force-path-style', '--s3-checksum', 'when-required'];
  const p = await startProgram([...storage, '--upload-mode', mode, '--user', 'u:p', ...extra], s3Env({ FTPKIT_LOG_LEVEL: 'info' }));
  running.push(p);
  return p;
}

async function login(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.login('u', 'p');
  return c;
}

async function put(port: number, path: string, body: Buffer): Promise<void> {
  const c = await login(port);
  expect(await transferUp(c, `STOR ${path}`, body)).toBe(226);
  c.close();
}

async function fetchSha(port: number, path: string): Promise<string> {
  const c = await login(port);
  const { data, replies } = await transferDown(c, `RETR ${path}`);
  c.close();
  expect(replies).toEqual([226]);
  return sha256(data);
}


interface LogLine {
  msg?: string;
  path?: string;
  direction?: string;
  ok?: boolean;
  removed?: number;
}

function logLines(p: ProgramProcess): LogLine[] {
  return p
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

function uploadEnds(p: ProgramProcess, path: string): LogLine[] {
  return logLines(p).filter((l) => l.msg === 'transfer end' && l.direction === 'upload' && l.path === path);
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function temps(root: string): string[] {
  return readdirSync(root).filter((n) => n.startsWith('.ftpkit-upload-'));
}

/**
 * A client process that logs in, starts `STOR f.bin`, sends the file named on its command line and
 * then waits to be killed. Its sockets are then closed by the kernel, microseconds apart, each with
 * a plain FIN (nothing unread, so no RST): exactly what a `kill -9` of curl does. The kernel closes
 * a dead process's sockets in reverse descriptor order (checked with a listener timing both FINs):
 * with the control socket on the lower descriptor, as in curl, the data FIN goes first;
 * `control-fin-first` moves the data socket to a descriptor below the control one.
 */
const KILLED_CLIENT = `
import os, re, socket, sys, time
port, order, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
low = os.open('/dev/null', os.O_RDONLY)
c = socket.create_connection(('127.0.0.1', port))
f = c.makefile('rb')
def reply():
    line = f.readline().decode()
    while line[3:4] == '-':
        line = f.readline().decode()
    return line
def cmd(text):
    c.sendall((text + '\\r\\n').encode())
    return reply()
reply()
cmd('USER u')
cmd('PASS p')
cmd('TYPE I')
m = re.search(r'(\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)', cmd('PASV'))
d = socket.create_connection(('127.0.0.1', int(m.group(5)) * 256 + int(m.group(6))))
if not cmd('STOR f.bin').startswith('150'):
    sys.exit(3)
if order == 'control-fin-first':
    fd = d.detach()
    os.dup2(fd, low)
    os.close(fd)
    d = socket.socket(fileno=low)
d.sendall(open(path, 'rb').read())
print('sent', flush=True)
time.sleep(60)
`;

/** Runs {@link KILLED_CLIENT} against `port` and SIGKILLs it once its bytes are sent. */
async function killedClient(port: number, order: 'control-fin-first' | 'data-fin-first'): Promise<void> {
  const file = join(tempDir(), 'part.bin');
  writeFileSync(file, NEW.subarray(0, SENT));
  const child = spawn('python3', ['-c', KILLED_CLIENT, String(port), order, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const sent = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000);
      child.stdout.once('data', () => {
        clearTimeout(timer);
        resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    expect(sent).toBe(true);
    // Let the server take in what was sent: the upload is in progress when the client dies.
    await sleep(300);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

describe('ftpkit-server: a killed client never commits a truncated upload (issue 15.1)', () => {
  for (const kind of ['local', 'memory', 's3'] as const) {
    for (const mode of ['atomic', 'resumable'] as const) {
      for (const order of ['data-fin-first', 'control-fin-first'] as const) {
        it(`${kind}, ${mode}, ${order}: transfer-end ok=false (never a 226), ${mode === 'atomic' ? 'the old file intact' : 'a prefix of the upload'}`, { timeout: 60_000 }, async () => {
          if (!ready) return;
          const root = kind === 's3' ? `p${prefixes++}/` : tempDir();
          const p = await start(kind, mode, root);
          await put(p.port, '/f.bin', OLD);
          await killedClient(p.port, order);
          await waitFor('the transfer-end line', () => uploadEnds(p, '/f.bin').length === 2);
          const oks = uploadEnds(p, '/f.bin').map((l) => l.ok);
          // Atomic uploads wait ATOMIC_COMMIT_GRACE_MS for the control EOF, so they never commit.
          // A resumable upload has nothing to commit and pays no wait: when the second FIN comes
          // later than two event-loop turns (a loaded machine), its log line may say ok; no client
          // can receive a 226 (the session is gone) and the file is a prefix either way.
          if (mode === 'atomic' || order === 'control-fin-first') expect(oks).toEqual([true, false]);
          else expect(oks[0]).toBe(true);
          if (mode === 'atomic') {
            expect(await fetchSha(p.port, '/f.bin')).toBe(sha256(OLD));
          } else {
            const c = await login(p.port);
            const { data } = await transferDown(c, 'RETR f.bin');
            c.close();
            expect(data.length).toBeLessThanOrEqual(SENT);
            expect(data.equals(NEW.subarray(0, data.length))).toBe(true);
          }
          if (kind === 'local') expect(temps(root)).toEqual([]);
          if (kind === 's3' && mode === 'atomic') await waitFor('no open multipart upload', () => s3!.pendingUploads(BUCKET).length === 0);
        });
      }
    }
  }
});

/** An atomic overwrite of `path` in progress: 256 KiB sent, more trickling until the server stops it. */
async function slowUpload(port: number, path = '/f.bin'): Promise<{ c: RawClient; stopped: Promise<void> }> {
  const c = await login(port);
  const data = await openTransfer(c, `STOR ${path}`);
  await new Promise<void>((r) => data.write(NEW.subarray(0, 256 * 1024), () => r()));
  const stopped = (async () => {
    for (let i = 0; i < 400 && !data.destroyed && !c.closed; i++) {
      data.write(NEW.subarray(256 * 1024 + i * 1024, 256 * 1024 + (i + 1) * 1024));
      await sleep(50);
    }
    data.destroy();
  })();
  return { c, stopped };
}

describe('ftpkit-server: no temporary file outlives the server (issue 15.2)', () => {
  it('SIGTERM during 8 uploads (atomic, local): exit 0, no temp file, old files intact, 8 transfer-end lines', { timeout: 60_000 }, async () => {
    if (!ready) return;
    const root = tempDir();
    const p = await start('local', 'atomic', root, ['--grace-ms', '500']);
    const names = Array.from({ length: 8 }, (_, i) => `/f${i}.bin`);
    for (const name of names) await put(p.port, name, OLD);
    const uploads = await Promise.all(names.map((name) => slowUpload(p.port, name)));
    await waitFor('the temporary files', () => temps(root).length === names.length);
    expect(await p.stop()).toBe(0);
    for (const { c, stopped } of uploads) {
      expect(await repliesUntilClosed(c)).not.toContain(226);
      await stopped;
      c.close();
    }
    expect(temps(root)).toEqual([]);
    for (const name of names) expect(uploadEnds(p, name).map((l) => l.ok), name).toEqual([true, false]);
    const again = await start('local', 'atomic', root);
    for (const name of names) expect(await fetchSha(again.port, name)).toBe(sha256(OLD));
  });

  it('SIGTERM mid-upload (atomic, S3): exit 0 and the multipart upload is aborted before the exit', { timeout: 60_000 }, async () => {
    if (!ready) return;
    const prefix = `p${prefixes++}/`;
    const p = await start('s3', 'atomic', prefix, ['--grace-ms', '500']);
    await put(p.port, '/f.bin', OLD);
    const before = new Set(s3!.pendingUploads(BUCKET));
    const lost = (): string[] => s3!.pendingUploads(BUCKET).filter((id) => !before.has(id));
    const c = await login(p.port);
    const data = await openTransfer(c, 'STOR f.bin');
    data.write(payload(12 * 1024 * 1024, 74));
    await waitFor('the multipart upload', () => lost().length === 1);
    expect(await p.stop()).toBe(0);
    expect(await repliesUntilClosed(c)).not.toContain(226);
    data.destroy();
    c.close();
    expect(lost()).toEqual([]);
    expect(uploadEnds(p, '/f.bin').map((l) => l.ok)).toEqual([true, false]);
    const again = await start('s3', 'atomic', prefix);
    expect(await fetchSha(again.port, '/f.bin')).toBe(sha256(OLD));
  });

  it('SIGKILL mid-upload (atomic, local) then restart: the sweep removes the temp file and logs it', { timeout: 60_000 }, async () => {
    if (!ready) return;
    const root = tempDir();
    const p = await start('local', 'atomic', root);
    await put(p.port, '/f.bin', OLD);
    const { c, stopped } = await slowUpload(p.port);
    await waitFor('the temporary file', () => temps(root).length === 1);
    p.child.kill('SIGKILL');
    await p.stop();
    await stopped;
    c.close();
    // A SIGKILL leaves it: nothing runs in a killed process.
    expect(temps(root)).toHaveLength(1);
    const again = await start('local', 'atomic', root);
    expect(temps(root)).toEqual([]);
    const swept = logLines(again).find((l) => l.msg?.startsWith('temporary upload files') === true);
    expect(swept?.removed).toBe(1);
    expect(await fetchSha(again.port, '/f.bin')).toBe(sha256(OLD));
  });
});

describe('ftpkit-server: no multipart upload outlives the server on S3 (issue 15.2)', () => {
  it('SIGKILL mid-upload then restart: the start-up sweep aborts the lost multipart upload and logs it', { timeout: 90_000 }, async () => {
    if (!ready) return;
    const prefix = `p${prefixes++}/`;
    const p = await start('s3', 'atomic', prefix);
    const before = new Set(s3!.pendingUploads(BUCKET));
    const c = await login(p.port);
    const data = await openTransfer(c, 'STOR big.bin');
    // Past the program's 8 MiB part size: a multipart upload with a part on its way.
    const big = payload(12 * 1024 * 1024, 73);
    data.write(big);
    const lost = (): string[] => s3!.pendingUploads(BUCKET).filter((id) => !before.has(id));
    await waitFor('the multipart upload', () => lost().length === 1);
    p.child.kill('SIGKILL');
    await p.stop();
    data.destroy();
    c.close();
    // Nothing ran in the killed process: the upload is still open on S3.
    expect(lost()).toHaveLength(1);
    const again = await start('s3', 'atomic', prefix, ['--s3-stale-upload-ms', '0']);
    expect(lost()).toEqual([]);
    const swept = logLines(again).find((l) => l.msg?.startsWith('temporary upload files') === true);
    expect(swept?.removed).toBe(1);
    const r = await login(again.port);
    expect((await r.cmd('SIZE big.bin')).code).toBe(550);
    r.close();
  });
});

describe('ftpkit-server: resuming a failed atomic overwrite (issue 15.4)', () => {
  it('curl -C - (SIZE + APPE) after a failed overwrite is refused and the old file stays; REST+STOR is 554', { timeout: 60_000 }, async () => {
    if (!ready) return;
    const root = tempDir();
    const p = await start('local', 'atomic', root);
    await put(p.port, '/f.bin', OLD);
    // The overwrite breaks: the client's connections are reset.
    const c = await login(p.port);
    const data = await openTransfer(c, 'STOR f.bin');
    await new Promise<void>((r) => data.write(NEW.subarray(0, SENT), () => r()));
    await sleep(300);
    data.resetAndDestroy();
    c.socket.resetAndDestroy();
    await waitFor('the failed upload', () => uploadEnds(p, '/f.bin').length === 2);
    const file = join(tempDir(), 'new.bin');
    writeFileSync(file, NEW);
    const resumed = await curl(['-C', '-', '-T', file, `ftp://u:p@127.0.0.1:${p.port}/f.bin`]);
    const now = await fetchSha(p.port, '/f.bin');
    // Either the right file or a clear refusal with the old file intact; never a splice.
    expect({ curl: resumed.code === 0 ? 'ok' : 'refused', sha: now }).toEqual({ curl: 'refused', sha: sha256(OLD) });
    expect(resumed.stderr).toContain('554');
    const r = await login(p.port);
    await r.cmd('TYPE I');
    expect((await r.cmd('PASV')).code).toBe(227);
    expect((await r.cmd('REST 1048576')).code).toBe(350);
    const refused = await r.cmd('STOR f.bin');
    expect(refused.code).toBe(554);
    r.close();
    // A whole new STOR still works.
    await put(p.port, '/f.bin', NEW);
    expect(await fetchSha(p.port, '/f.bin')).toBe(sha256(NEW));
    expect(existsSync(join(root, 'f.bin'))).toBe(true);
    expect(temps(root)).toEqual([]);
  });
});
