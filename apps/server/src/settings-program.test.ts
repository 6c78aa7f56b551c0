import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { curl, programEnv, programReady, runProgram, startProgram, type ProgramProcess } from './test-support/s3-program.js';

// Settings as an operator meets them: through the built program, its exit status and stderr.

const dir = mkdtempSync(join(tmpdir(), 'ftpkit-settings-'));
const root = join(dir, 'root');
mkdirSync(root);
const started: ProgramProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
});

async function start(args: string[], env: NodeJS.ProcessEnv = programEnv({ FTPKIT_LOG_LEVEL: 'warn' })): Promise<ProgramProcess> {
  const p = await startProgram(['--root', root, ...args], env);
  started.push(p);
  return p;
}

/** A TCP port held by this test until `close`. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

/** Stderr of a failed start: exactly one line, no JSON log record and no stack before it. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/stack|"level"/);
  return lines[0] ?? '';
}

describe('ftpkit-server settings, through the built program', () => {
  it('--pasv-address with a host name announces the address it resolves to', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    // The control connection is on 127.0.0.2, so without resolving the name the reply would name 127.0.0.2.
    const p = await start(['--host', '127.0.0.2', '--user', 'u:p', '--pasv-address', 'localhost']);
    expect(p.stdout()).toContain('passive address: 127.0.0.1 (localhost, resolved at start)');
    const r = await curl(['-v', '--disable-epsv', '-l', `ftp://u:p@127.0.0.2:${p.port}/`], 20);
    expect(r.stderr).toMatch(/227 Entering Passive Mode \(127,0,0,1,\d+,\d+\)/);
  });

  it('refuses a --pasv-address that is no IPv4 address and no resolvable name, in one line, exit 2', { timeout: 90_000 }, async () => {
    if (!programReady()) return;
    for (const bad of ['not-an-ip.invalid', '1.2.3', '::1', 'a b', '0.0.0.0']) {
      const r = await runProgram(['--port', '0', '--root', root, '--pasv-address', bad], programEnv(), 25_000);
      expect(r.code, `${bad}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(oneLine(r.stderr)).toMatch(/^ftpkit-server: --pasv-address: /);
    }
    const env = programEnv({ FTPKIT_PASV_ADDRESS: 'not-an-ip.invalid' });
    const r = await runProgram(['--port', '0', '--root', root], env, 25_000);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/^ftpkit-server: FTPKIT_PASV_ADDRESS: not-an-ip\.invalid does not resolve/);
  });

  it('logs a warn line for the 425 of an exhausted passive range', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const held = await holdPort();
    try {
      const p = await start(['--user', 'u:p', '--pasv-ports', `${held.port}-${held.port}`]);
      const r = await curl(['-v', '-l', `ftp://u:p@127.0.0.1:${p.port}/`], 20);
      expect(r.stderr).toMatch(/< 425/);
      const lines = p.stderr().split('\n').filter((l) => l.includes('425'));
      expect(lines.length).toBeGreaterThan(0);
      const record = JSON.parse(lines[0] ?? '{}') as { level: number; user: string; reason: string };
      expect(record).toMatchObject({ level: 40, user: 'u', reason: 'no free passive port' });
    } finally {
      held.server.close();
    }
  });

  it('a port in use is one clean line (exit 2) naming where the port was set', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const held = await holdPort();
    try {
      const r = await runProgram(['--port', String(held.port), '--root', root], programEnv({ FTPKIT_LOG_LEVEL: 'warn' }));
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toBe(`ftpkit-server: --port: cannot listen on 127.0.0.1:${held.port} (EADDRINUSE)`);
      const config = join(dir, 'port.yaml');
      writeFileSync(config, `port: ${held.port}\n`);
      const f = await runProgram(['--config', config, '--root', root], programEnv({ FTPKIT_LOG_LEVEL: 'warn' }));
      expect(f.code).toBe(2);
      expect(oneLine(f.stderr)).toBe(`ftpkit-server: config key "port": cannot listen on 127.0.0.1:${held.port} (EADDRINUSE)`);
    } finally {
      held.server.close();
    }
  });

  it('a file where a directory belongs (--root, --tls-dir, --anonymous-root) is one line, exit 2', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = await runProgram(['--port', '0', '--root', file], programEnv());
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(`ftpkit-server: --root: ${file} is not a directory`);
    const t = await runProgram(['--port', '0', '--root', root, '--tls', 'self-signed', '--tls-dir', file], programEnv({ FTPKIT_LOG_LEVEL: 'warn' }));
    expect(t.code).toBe(2);
    expect(oneLine(t.stderr)).toBe(`ftpkit-server: --tls-dir: ${file} is not a directory`);
    writeFileSync(join(root, 'anon-file'), 'x');
    const a = await runProgram(['--port', '0', '--root', root, '--anonymous', '--anonymous-root', 'anon-file'], programEnv());
    expect(a.code).toBe(2);
    expect(oneLine(a.stderr)).toBe(`ftpkit-server: --anonymous-root: ${join(root, 'anon-file')} is not a directory`);
  });

  it('errors about a value from the config file or the environment name the key or the variable', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const config = join(dir, 'tls.yaml');
    writeFileSync(config, 'tlsCert: missing-cert.pem\ntlsKey: missing-key.pem\n');
    const f = await runProgram(['--port', '0', '--root', root, '--config', config], programEnv({ FTPKIT_LOG_LEVEL: 'warn' }));
    expect(f.code).toBe(2);
    expect(oneLine(f.stderr)).toBe(`ftpkit-server: config key "tlsCert": cannot read ${join(dir, 'missing-cert.pem')} (ENOENT)`);
    const half = join(dir, 'half.yaml');
    writeFileSync(half, 'tlsKey: key.pem\n');
    const h = await runProgram(['--port', '0', '--root', root, '--config', half], programEnv());
    expect(oneLine(h.stderr)).toBe('ftpkit-server: config key "tlsKey": tlsCert and tlsKey go together');
    writeFileSync(join(dir, 'cert.pem'), 'not a certificate');
    const env = programEnv({ FTPKIT_LOG_LEVEL: 'warn', FTPKIT_TLS_CERT: join(dir, 'cert.pem'), FTPKIT_TLS_KEY: join(dir, 'nope.pem') });
    const e = await runProgram(['--port', '0', '--root', root], env);
    expect(e.code).toBe(2);
    expect(oneLine(e.stderr)).toBe(`ftpkit-server: FTPKIT_TLS_KEY: cannot read ${join(dir, 'nope.pem')} (ENOENT)`);
  });

  it('--no-require-tls and --require-tls=false override requireTls: true from the file', { timeout: 90_000 }, async () => {
    if (!programReady()) return;
    const config = join(dir, 'require.yaml');
    writeFileSync(config, `tls: self-signed\ntlsDir: ${join(dir, 'tls')}\nrequireTls: true\n`);
    writeFileSync(join(root, 'plain.txt'), 'no TLS needed');
    const strict = await start(['--config', config, '--user', 'u:p']);
    expect((await curl([`ftp://u:p@127.0.0.1:${strict.port}/plain.txt`], 20)).code).not.toBe(0);
    for (const flag of [['--no-require-tls'], ['--require-tls=false'], ['--require-tls', 'false']]) {
      const p = await start(['--config', config, '--user', 'u:p', ...flag]);
      expect(p.stdout()).not.toContain('TLS required');
      expect((await curl([`ftp://u:p@127.0.0.1:${p.port}/plain.txt`], 20)).stdout, flag.join(' ')).toBe('no TLS needed');
    }
    const bad = await runProgram(['--port', '0', '--root', root, '--require-tls=perhaps'], programEnv());
    expect(bad.code).toBe(2);
    expect(oneLine(bad.stderr)).toBe('ftpkit-server: --require-tls: must be true or false (got "perhaps")');
    // Every switch has both forms.
    const anon = await start(['--no-anonymous', '--user', 'u:p'], programEnv({ FTPKIT_LOG_LEVEL: 'warn', FTPKIT_ANONYMOUS: 'true' }));
    expect((await curl([`ftp://anonymous:x@127.0.0.1:${anon.port}/plain.txt`], 20)).code).not.toBe(0);
  });

  it('users come from one level: --user replaces FTPKIT_USER and the config file users, not adds to them', { timeout: 90_000 }, async () => {
    if (!programReady()) return;
    // alice's password is alice-password (docs/examples/users.yaml).
    copyFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'examples', 'users.yaml'), join(dir, 'users.yaml'));
    const config = join(dir, 'users-config.yaml');
    writeFileSync(config, 'users: users.yaml\n');
    writeFileSync(join(root, 'who.txt'), 'served');
    const alice = (port: number) => curl([`ftp://alice:alice-password@127.0.0.1:${port}/`], 30);
    const bob = (port: number) => curl([`ftp://bob:bob-pw@127.0.0.1:${port}/who.txt`], 30);
    const carol = (port: number) => curl([`ftp://carol:carol-pw@127.0.0.1:${port}/who.txt`], 30);

    const file = await start(['--config', config]);
    expect((await alice(file.port)).code).toBe(0);

    const flag = await start(['--config', config, '--user', 'bob:bob-pw'], programEnv({ FTPKIT_LOG_LEVEL: 'warn', FTPKIT_USER: 'carol:carol-pw' }));
    expect((await bob(flag.port)).stdout).toBe('served');
    expect((await alice(flag.port)).code).toBe(67);
    expect((await carol(flag.port)).code).toBe(67);
    expect(flag.stdout()).toContain('not used: FTPKIT_USER, config key "users"');

    const env = await start(['--config', config], programEnv({ FTPKIT_LOG_LEVEL: 'warn', FTPKIT_USER: 'carol:carol-pw' }));
    expect((await carol(env.port)).stdout).toBe('served');
    expect((await alice(env.port)).code).toBe(67);
  });
});
