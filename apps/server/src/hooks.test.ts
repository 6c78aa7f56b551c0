import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsCli, hasAwsCli, startS3rver, type S3rverProcess } from '@ftpkit/storage-s3/testing';
import { describe, expect, it } from 'vitest';
import { curl, programEnv, programWorkspace, s3Env, startProgram, type ProgramProcess } from './test-support/s3-program.js';
import {
  closedPort,
  lftp,
  lftpQuoted,
  metricValue,
  python,
  readRecords,
  startReceiver,
  waitFor,
  writeRecordingHook,
  type HookRecord,
} from './test-support/hook-recorder.js';

// Issue 20: --hook, through the built program, real clients (curl, lftp, ftplib), a real hook
// process and a real HTTP receiver.

/** Every character the issue names that a shell would act on, plus non-ASCII. */
const HOSTILE = `sp ace 'q' "dq" ;semi $(touch PWNED) \`touch PWNED2\` ü€`;
const hasLftp = spawnSync('lftp', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasLftp && process.env.CI) throw new Error('lftp is missing: run `pnpm test:setup`');

const ws = programWorkspace('ftpkit-hooks-');

async function start(args: string[], env: NodeJS.ProcessEnv = programEnv()): Promise<ProgramProcess> {
  const p = await startProgram(['--user', 'u:p', '--log-level', 'warn', ...args], env, ws.dir);
  ws.stopLater(p);
  return p;
}

function dirFor(name: string): string {
  const dir = join(ws.dir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `event status path [-> target] [size]` of each record, sorted: the hooks run in parallel. */
function summary(records: HookRecord[]): string[] {
  return records
    .filter((r) => r.stdin.event !== 'login')
    .map((r) => {
      const s = r.stdin;
      return [s.event, s.status, s.path, s.targetPath === undefined ? '' : `-> ${String(s.targetPath)}`, s.size === undefined ? '' : `(${String(s.size)})`]
        .filter((x) => x !== undefined && x !== '')
        .join(' ');
    })
    .sort();
}

/** The environment and stdin of one record say the same thing. */
function expectEnvMatchesStdin(r: HookRecord): void {
  const s = r.stdin;
  expect(r.env.FTPKIT_EVENT).toBe(s.event);
  expect(r.env.FTPKIT_USER).toBe(s.user);
  expect(r.env.FTPKIT_PATH).toBe(s.path);
  expect(r.env.FTPKIT_TARGET_PATH).toBe(s.targetPath);
  expect(r.env.FTPKIT_SIZE).toBe(s.size === undefined ? undefined : String(s.size));
  expect(r.env.FTPKIT_STATUS).toBe(s.status);
  expect(r.env.FTPKIT_REMOTE_ADDRESS).toBe('127.0.0.1');
  expect(r.env.FTPKIT_SESSION).toBe(String(s.session));
  expect(r.env.FTPKIT_LOCAL_PATH).toBe(s.localPath);
  expect(r.env.FTPKIT_S3_BUCKET).toBe(s.s3Bucket);
  expect(r.env.FTPKIT_S3_KEY).toBe(s.s3Key);
}

function noPwned(...dirs: string[]): void {
  for (const dir of dirs) expect(readdirSync(dir).filter((f) => f.startsWith('PWNED')), dir).toEqual([]);
}

describe('ftpkit-server --hook: post events on local storage', () => {
  it('curl, lftp and ftplib: exactly one event per operation, hostile names intact, nothing run', { timeout: 180_000 }, async () => {
    if (!ws.ready) return;
    const dir = dirFor('post-local');
    const root = dirFor('post-local-root');
    const hook = writeRecordingHook(dir);
    const server = await start(['--root', root, '--hook', `login,login-failed,upload,download,delete,rename,mkdir,rmdir=${hook.path}`]);
    const url = `ftp://u:p@127.0.0.1:${server.port}`;
    const body = join(dir, 'body.txt');
    writeFileSync(body, 'hello hooks\n');
    const name = `${HOSTILE}.txt`;
    const enc = encodeURIComponent(name);

    expect((await curl(['-T', body, '--ftp-create-dirs', `${url}/d/${enc}`])).code).toBe(0);
    if (hasLftp) {
      const l = await lftp(server.port, 'u', 'p', `put ${join(dir, 'body.txt')} -o ${lftpQuoted(`/d/l ${name}`)}`);
      expect(l.code, l.stderr).toBe(0);
    }
    const down = await curl([`${url}/d/${enc}`]);
    expect(down.stdout).toBe('hello hooks\n');
    expect((await curl(['-Q', `RNFR /d/${name}`, '-Q', `RNTO /d/r ${name}`, '--list-only', `${url}/`])).code).toBe(0);
    const deletes = ['-Q', `DELE /d/r ${name}`, ...(hasLftp ? ['-Q', `DELE /d/l ${name}`] : []), '-Q', 'RMD /d'];
    expect((await curl([...deletes, '--list-only', `${url}/`])).code).toBe(0);
    expect((await curl(['-Q', 'DELE /missing', '--list-only', `${url}/`])).code).not.toBe(0);
    // An upload cut by ABOR: upload, failed (never ok).
    const py = await python(
      `import ftplib, os
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(os.environ['FTP_PORT']), timeout=30)
ftp.login('u', 'p')
conn = ftp.transfercmd('STOR cut.bin')
conn.sendall(b'x' * 1000)
try:
    ftp.abort()
except ftplib.all_errors:
    pass
conn.close()
ftp.close()
`,
      server.port,
    );
    expect(py.stderr).toBe('');
    expect((await curl([`ftp://u:wrong@127.0.0.1:${server.port}/`])).code).not.toBe(0);

    const sessions = hasLftp ? 8 : 7;
    const want = [
      'mkdir ok /d',
      `upload ok /d/${name} (12)`,
      ...(hasLftp ? [`upload ok /d/l ${name} (12)`, `delete ok /d/l ${name}`] : []),
      `download ok /d/${name} (12)`,
      `rename ok /d/${name} -> /d/r ${name}`,
      `delete ok /d/r ${name}`,
      'rmdir ok /d',
      'delete failed /missing',
      'login-failed failed',
    ].sort();
    const records = await waitFor(
      () => readRecords(hook.log),
      (r) => r.length >= want.length + sessions,
    );
    const cut = records.filter((r) => r.stdin.path === '/cut.bin');
    expect(cut).toHaveLength(1);
    expect(cut[0]?.stdin).toMatchObject({ event: 'upload', status: 'failed' });
    expect(summary(records.filter((r) => r.stdin.path !== '/cut.bin'))).toEqual(want);
    const logins = records.filter((r) => r.stdin.event === 'login');
    expect(logins).toHaveLength(sessions - 1);
    for (const l of logins) expect(l.stdin).toMatchObject({ user: 'u', status: 'ok', remoteAddress: '127.0.0.1' });
    expect(records.find((r) => r.stdin.event === 'login-failed')?.stdin.user).toBe('u');
    for (const r of records) {
      expectEnvMatchesStdin(r);
      if (typeof r.stdin.path === 'string' && r.stdin.event !== 'login-failed') expect(r.stdin.localPath).toBe(join(root, r.stdin.path));
    }
    expect(records.find((r) => r.stdin.event === 'rename')?.stdin.targetLocalPath).toBe(join(root, `/d/r ${name}`));
    // Nothing more arrives: one event per operation.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(readRecords(hook.log)).toHaveLength(records.length);
    noPwned(ws.dir, dir, root);
  });
});

describe('ftpkit-server --hook: memory and S3 storage', () => {
  it('memory: upload and delete events, no storage location', { timeout: 60_000 }, async () => {
    if (!ws.ready) return;
    const dir = dirFor('post-memory');
    const hook = writeRecordingHook(dir);
    const server = await start(['--storage', 'memory', '--hook', `upload,delete=${hook.path}`]);
    const body = join(dir, 'body.bin');
    writeFileSync(body, Buffer.alloc(3000, 7));
    const url = `ftp://u:p@127.0.0.1:${server.port}`;
    expect((await curl(['-T', body, `${url}/${encodeURIComponent(`m ${HOSTILE}`)}`])).code).toBe(0);
    expect((await curl(['-Q', `DELE /m ${HOSTILE}`, '--list-only', `${url}/`])).code).toBe(0);
    const records = await waitFor(() => readRecords(hook.log), (r) => r.length >= 2);
    expect(summary(records)).toEqual([`delete ok /m ${HOSTILE}`, `upload ok /m ${HOSTILE} (3000)`]);
    for (const r of records) {
      expectEnvMatchesStdin(r);
      expect(r.env.FTPKIT_LOCAL_PATH).toBeUndefined();
      expect(r.env.FTPKIT_S3_KEY).toBeUndefined();
    }
    noPwned(ws.dir, dir);
  });

  it('S3 (s3rver): the upload names the bucket and the key the object landed at', { timeout: 120_000 }, async () => {
    if (!ws.ready) return;
    const s3: S3rverProcess = await startS3rver({ buckets: ['hooks'] });
    try {
      const dir = dirFor('post-s3');
      const hook = writeRecordingHook(dir);
      const server = await start(
        ['--storage', 's3', '--s3-bucket', 'hooks', '--s3-prefix', 'pre', '--s3-endpoint', s3.endpoint, '--s3-region', 'us-east-1', '--s3-force-path-style', '--s3-checksum', 'when-required', '--hook', `upload,rename=${hook.path}`],
        s3Env(),
      );
      const body = join(dir, 'body.bin');
      writeFileSync(body, Buffer.alloc(4321, 1));
      const url = `ftp://u:p@127.0.0.1:${server.port}`;
      expect((await curl(['-T', body, '--ftp-create-dirs', `${url}/in/${encodeURIComponent('up load ü.bin')}`])).code).toBe(0);
      const records = await waitFor(() => readRecords(hook.log), (r) => r.length >= 1);
      expect(summary(records)).toEqual(['upload ok /in/up load ü.bin (4321)']);
      const r = records[0] as HookRecord;
      expectEnvMatchesStdin(r);
      expect(r.env.FTPKIT_S3_BUCKET).toBe('hooks');
      expect(r.env.FTPKIT_S3_KEY).toBe('pre/in/up load ü.bin');
      expect(r.env.FTPKIT_LOCAL_PATH).toBeUndefined();
      if (await hasAwsCli()) {
        const head = JSON.parse(await awsCli(s3.endpoint, ['s3api', 'head-object', '--bucket', 'hooks', '--key', 'pre/in/up load ü.bin', '--output', 'json'])) as { ContentLength: number };
        expect(head.ContentLength).toBe(4321);
      }
    } finally {
      await s3.stop();
    }
  });
});

describe('ftpkit-server --hook: pre hooks decide', () => {
  it('a refusing pre hook: 553/550 before any 150, nothing written, read, deleted or renamed', { timeout: 120_000 }, async () => {
    if (!ws.ready) return;
    const dir = dirFor('pre');
    const root = dirFor('pre-root');
    const hook = writeRecordingHook(dir);
    const server = await start(['--root', root, '--hook', `pre-upload,pre-download,pre-delete,pre-rename=${hook.path}`]);
    const url = `ftp://u:p@127.0.0.1:${server.port}`;
    const body = join(dir, 'body.txt');
    writeFileSync(body, 'data\n');

    writeFileSync(join(dir, 'exit-pre-upload'), '1');
    const refused = await curl(['-v', '-T', body, `${url}/${encodeURIComponent(HOSTILE)}`]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/< 553 /);
    expect(refused.stderr).not.toMatch(/< 150 /);
    expect(readdirSync(root)).toEqual([]);
    rmSync(join(dir, 'exit-pre-upload'));
    expect((await curl(['-T', body, `${url}/${encodeURIComponent(HOSTILE)}`])).code).toBe(0);
    expect(existsSync(join(root, HOSTILE))).toBe(true);

    writeFileSync(join(dir, 'exit-pre-download'), '3');
    const get = await curl(['-v', `${url}/${encodeURIComponent(HOSTILE)}`]);
    expect(get.stderr).toMatch(/< 550 /);
    expect(get.stderr).not.toMatch(/< 150 /);
    expect(get.stdout).toBe('');
    writeFileSync(join(dir, 'exit-pre-delete'), '1');
    const del = await curl(['-v', '-Q', `DELE /${HOSTILE}`, '--list-only', `${url}/`]);
    expect(del.stderr).toMatch(/< 550 /);
    expect(existsSync(join(root, HOSTILE))).toBe(true);
    writeFileSync(join(dir, 'exit-pre-rename'), '1');
    const ren = await curl(['-v', '-Q', `RNFR /${HOSTILE}`, '-Q', 'RNTO /other', '--list-only', `${url}/`]);
    expect(ren.stderr).toMatch(/< 553 /);
    expect(readdirSync(root)).toEqual([HOSTILE]);

    const records = readRecords(hook.log);
    expect(records.map((r) => `${String(r.stdin.event)} ${String(r.stdin.path)}`)).toEqual([
      `pre-upload /${HOSTILE}`,
      `pre-upload /${HOSTILE}`,
      `pre-download /${HOSTILE}`,
      `pre-delete /${HOSTILE}`,
      `pre-rename /${HOSTILE}`,
    ]);
    for (const r of records) {
      expectEnvMatchesStdin(r);
      expect(r.stdin.localPath).toBe(join(root, HOSTILE));
      expect(r.stdin.status).toBeUndefined();
    }
    expect(records[4]?.stdin.targetPath).toBe('/other');
    noPwned(ws.dir, dir, root);
  });

  it('fail closed: an unreachable pre-upload URL or a pre hook past --hook-timeout-ms is 451, nothing stored', { timeout: 120_000 }, async () => {
    if (!ws.ready) return;
    const dir = dirFor('pre-closed');
    const root = dirFor('pre-closed-root');
    const hook = writeRecordingHook(dir);
    const down = await closedPort();
    const server = await start(['--root', root, '--hook', `pre-upload=http://127.0.0.1:${down}/`, '--hook', `pre-download=${hook.path}`, '--hook-timeout-ms', '500']);
    const url = `ftp://u:p@127.0.0.1:${server.port}`;
    const body = join(dir, 'body.txt');
    writeFileSync(body, 'data\n');
    const up = await curl(['-v', '-T', body, `${url}/x.txt`]);
    expect(up.stderr).toMatch(/< 451 /);
    expect(readdirSync(root)).toEqual([]);
    writeFileSync(join(root, 'y.txt'), 'y');
    writeFileSync(join(dir, 'block'), '');
    const get = await curl(['-v', `${url}/y.txt`]);
    expect(get.stderr).toMatch(/< 451 /);
    expect(get.stdout).toBe('');
    rmSync(join(dir, 'block'));
  });
});

describe('ftpkit-server --hook: a slow, full, failing or unreachable target never delays the FTP path', () => {
  it('uploads finish while every hook is blocked; the queue stays bounded and drops are counted', { timeout: 180_000 }, async () => {
    if (!ws.ready) return;
    const dir = dirFor('slow');
    const hook = writeRecordingHook(dir);
    const releases: (() => void)[] = [];
    const held = await startReceiver(() => new Promise((resolve) => releases.push(() => resolve({ status: 204 }))));
    ws.stopLater(held);
    const metricsPort = await closedPort();
    writeFileSync(join(dir, 'block'), '');
    const server = await start([
      '--storage',
      'memory',
      '--hook',
      `upload=${hook.path}`,
      '--hook',
      `upload=${held.url}`,
      '--hook-queue-size',
      '5',
      '--metrics',
      `127.0.0.1:${metricsPort}`,
    ]);
    const body = join(dir, 'body.txt');
    writeFileSync(body, 'x');
    // 12 uploads, 24 hook runs: 4 run (blocked), 5 wait, the rest is dropped.
    const py = await python(
      `import ftplib, io, os
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(os.environ['FTP_PORT']), timeout=30)
ftp.login('u', 'p')
for i in range(12):
    ftp.storbinary('STOR f%d' % i, io.BytesIO(b'x'))
print('stored')
ftp.quit()
`,
      server.port,
    );
    expect(py.stdout.trim()).toBe('stored');
    // Every reply came while the hook processes are still blocked and the receiver holds its requests.
    expect(existsSync(join(dir, 'block'))).toBe(true);
    expect(readRecords(hook.log)).toEqual([]);
    const metrics = await curl([`http://127.0.0.1:${metricsPort}/metrics`]);
    expect(metricValue(metrics.stdout, 'ftpkit_hook_queue', '{state="running"}')).toBe(4);
    expect(metricValue(metrics.stdout, 'ftpkit_hook_queue', '{state="queued"}')).toBe(5);
    expect(metricValue(metrics.stdout, 'ftpkit_hook_runs_total', '{result="dropped"}')).toBe(15);
    expect(server.stderr()).toContain('hook queue full');

    rmSync(join(dir, 'block'));
    const settled = await waitForAsync(async () => {
      for (const release of releases.splice(0)) release();
      const text = (await curl([`http://127.0.0.1:${metricsPort}/metrics`])).stdout;
      return metricValue(text, 'ftpkit_hook_runs_total', '{result="succeeded"}');
    }, (n) => n === 9);
    expect(settled).toBe(9);
    expect(readRecords(hook.log).length + held.received.length).toBe(9);
  });

  it('a target answering 500 and one that is down: the upload is not held, retries with backoff, failures counted, bodies signed', { timeout: 120_000 }, async () => {
    if (!ws.ready) return;
    const dir = dirFor('failing');
    const failing = await startReceiver(() => ({ status: 500 }));
    ws.stopLater(failing);
    const down = await closedPort();
    const metricsPort = await closedPort();
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, 'shh\n');
    const server = await start([
      '--storage',
      'memory',
      '--hook',
      `upload=${failing.url}hook`,
      '--hook',
      `upload=http://127.0.0.1:${down}/`,
      '--hook-secret-file',
      secretFile,
      '--metrics',
      `127.0.0.1:${metricsPort}`,
    ]);
    const body = join(dir, 'body.txt');
    writeFileSync(body, 'signed');
    expect((await curl(['-T', body, `ftp://u:p@127.0.0.1:${server.port}/s.txt`])).code).toBe(0);
    // The reply came before the hook's retries were over (4 attempts take 3.5 s of backoff).
    expect(failing.received.length).toBeLessThan(4);
    const failed = await waitForAsync(
      async () => metricValue((await curl([`http://127.0.0.1:${metricsPort}/metrics`])).stdout, 'ftpkit_hook_runs_total', '{result="failed"}'),
      (n) => n === 2,
    );
    expect(failed).toBe(2);
    const text = (await curl([`http://127.0.0.1:${metricsPort}/metrics`])).stdout;
    expect(metricValue(text, 'ftpkit_hook_runs_total', '{result="retried"}')).toBe(6);
    expect(failing.received).toHaveLength(4);
    for (const r of failing.received) {
      expect(r.headers['x-ftpkit-signature']).toBe(`sha256=${createHmac('sha256', 'shh').update(r.body).digest('hex')}`);
      expect(JSON.parse(r.body)).toMatchObject({ event: 'upload', path: '/s.txt', size: 6, status: 'ok', user: 'u' });
    }
    expect(server.stderr()).toContain('hook failed');
  });
});

/** waitFor for an async reader (bounded: 30 s). */
async function waitForAsync<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  let value = await read();
  while (!check(value) && Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}
