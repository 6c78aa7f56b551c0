import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startS3rver } from '@ftpkit/storage-s3/testing';
import { curl, programEnv, programWorkspace, s3Env, startProgram } from './test-support/s3-program.js';
import { closedPort, python, startReceiver, type Receiver } from './test-support/hook-recorder.js';

// Issue 20: --auth-url through the built program, a real HTTP user service and real clients.

interface ServiceUser {
  password: string;
  root?: string;
  readOnly?: boolean;
}

const ws = programWorkspace('ftpkit-external-auth-');

/** The user service: 200 + user, 401 for a wrong password, or whatever `mode` says. */
async function startService(users: Map<string, ServiceUser>, mode: { status?: number } = {}): Promise<Receiver> {
  const service = await startReceiver(({ body }) => {
    if (mode.status !== undefined) return { status: mode.status };
    const { user, password } = JSON.parse(body) as { user: string; password: string };
    const u = users.get(user);
    if (u === undefined || u.password !== password) return { status: 401 };
    return { status: 200, body: JSON.stringify({ name: user, ...(u.root === undefined ? {} : { root: u.root }), readOnly: u.readOnly === true }) };
  });
  ws.stopLater(service);
  return service;
}

/** Logs in with ftplib and prints the reply code (or the error's); then runs `then` if given. */
async function login(port: number, user: string, password: string, then = ''): Promise<string> {
  const r = await python(
    `import ftplib, io, os
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(os.environ['FTP_PORT']), timeout=30)
try:
    print(ftp.login(${JSON.stringify(user)}, ${JSON.stringify(password)})[:3])
except ftplib.all_errors as e:
    print(str(e)[:3])
    raise SystemExit(0)
${then}
`,
    port,
  );
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

describe('ftpkit-server --auth-url', () => {
  it('allows and refuses by the service, honours root and readOnly, local users first, request body as documented', { timeout: 120_000 }, async () => {
    if (!ws.ready) return;
    const root = join(ws.dir, 'root');
    mkdirSync(root);
    const users = new Map<string, ServiceUser>([
      ['alice', { password: 'a-pw', root: 'alice' }],
      ['bob', { password: 'b-pw', readOnly: true }],
    ]);
    const service = await startService(users);
    const server = await startProgram(['--root', root, '--user', 'local:l-pw', '--auth-url', `${service.url}auth`, '--log-level', 'warn'], programEnv(), ws.dir);
    ws.stopLater(server);
    const body = join(ws.dir, 'up.txt');
    writeFileSync(body, 'alice data\n');
    const url = `ftp://127.0.0.1:${server.port}`;

    expect((await curl(['-T', body, '--user', 'alice:a-pw', `${url}/a.txt`])).code).toBe(0);
    expect(readFileSync(join(root, 'alice', 'a.txt'), 'utf8')).toBe('alice data\n');
    expect(JSON.parse(service.received[0]?.body ?? '{}')).toEqual({ user: 'alice', password: 'a-pw', remoteAddress: '127.0.0.1', tls: false });
    expect(service.received[0]?.url).toBe('/auth');

    // bob: read-only, served --root: sees alice's directory, may not write.
    const bobUp = await curl(['-v', '-T', body, '--user', 'bob:b-pw', `${url}/b.txt`]);
    expect(bobUp.stderr).toMatch(/< 550 /);
    expect(existsSync(join(root, 'b.txt'))).toBe(false);
    expect((await curl(['--user', 'bob:b-pw', `${url}/alice/a.txt`])).stdout).toBe('alice data\n');

    expect(await login(server.port, 'alice', 'wrong')).toBe('530');
    expect(await login(server.port, 'nobody', 'x')).toBe('530');
    const asked = service.received.length;
    expect(await login(server.port, 'local', 'l-pw')).toBe('230');
    // A local name is never asked of the service, not even with a wrong password.
    expect(await login(server.port, 'local', 'bad')).toBe('530');
    expect(service.received.length).toBe(asked);
  });

  it('service answering 500, or down: 421 and the connection closes, logged; nothing counted as a wrong password', { timeout: 120_000 }, async () => {
    if (!ws.ready) return;
    const root = join(ws.dir, 'root-down');
    mkdirSync(root);
    const mode: { status?: number } = { status: 500 };
    const service = await startService(new Map([['carol', { password: 'c' }]]), mode);
    const server = await startProgram(['--root', root, '--auth-url', service.url, '--log-level', 'warn'], programEnv(), ws.dir);
    ws.stopLater(server);
    expect(await login(server.port, 'carol', 'c')).toBe('421');
    delete mode.status;
    expect(await login(server.port, 'carol', 'c')).toBe('230');
    const down = await closedPort();
    const server2 = await startProgram(['--root', root, '--auth-url', `http://127.0.0.1:${down}/`, '--log-level', 'warn'], programEnv(), ws.dir);
    ws.stopLater(server2);
    // More attempts than the ban limit (10): an outage must not ban the address.
    for (let i = 0; i < 12; i++) expect(await login(server2.port, 'carol', 'c')).toBe('421');
    expect(server.stderr()).toContain('login could not be checked');
    expect(server2.stderr()).toContain('ECONNREFUSED');
  });

  it('--auth-cache-ms: the cache answers repeated logins, a new password works at once and retires the old one', { timeout: 120_000 }, async () => {
    if (!ws.ready) return;
    const root = join(ws.dir, 'root-cache');
    mkdirSync(root);
    const users = new Map<string, ServiceUser>([['dave', { password: 'old' }]]);
    const service = await startService(users);
    const server = await startProgram(['--root', root, '--auth-url', service.url, '--auth-cache-ms', '600000', '--log-level', 'warn'], programEnv(), ws.dir);
    ws.stopLater(server);
    expect(await login(server.port, 'dave', 'old')).toBe('230');
    expect(await login(server.port, 'dave', 'old')).toBe('230');
    expect(service.received).toHaveLength(1);
    users.set('dave', { password: 'new' });
    expect(await login(server.port, 'dave', 'new')).toBe('230');
    expect(service.received).toHaveLength(2);
    expect(await login(server.port, 'dave', 'old')).toBe('530');
    expect(service.received).toHaveLength(3);
  });

  it('--storage s3: an s3://bucket/prefix/ root from the service serves that location (met at login, not at start)', { timeout: 120_000 }, async () => {
    if (!ws.ready) return;
    const s3 = await startS3rver({ buckets: ['main-bucket', 'erin-bucket'] });
    try {
      const service = await startService(new Map([['erin', { password: 'e', root: 's3://erin-bucket/home/erin/' }]]));
      const server = await startProgram(
        ['--storage', 's3', '--s3-bucket', 'main-bucket', '--s3-endpoint', s3.endpoint, '--s3-region', 'us-east-1', '--s3-force-path-style', '--s3-checksum', 'when-required', '--auth-url', service.url, '--log-level', 'warn'],
        s3Env(),
        ws.dir,
      );
      ws.stopLater(server);
      const body = join(ws.dir, 'erin.txt');
      writeFileSync(body, 'erin data\n');
      const url = `ftp://erin:e@127.0.0.1:${server.port}`;
      const up = await curl(['-T', body, `${url}/e.txt`]);
      expect(up.code, up.stderr).toBe(0);
      expect((await curl([`${url}/e.txt`])).stdout).toBe('erin data\n');
      // Where it landed, read straight from s3rver's directory: the bucket and prefix the service named.
      expect(readFileSync(join(s3.directory, 'erin-bucket', 'home', 'erin', 'e.txt._S3rver_object'), 'utf8')).toBe('erin data\n');
    } finally {
      await s3.stop();
    }
  });
});
