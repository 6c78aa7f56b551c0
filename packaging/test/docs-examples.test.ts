import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { FtpClient } from '@ftpkit/client';
import type { FtpServer } from '@ftpkit/server';
import { startS3rver } from '@ftpkit/storage-s3/testing';
// The session's own command table (not exported by the package): the compliance page must cover it.
import { COMMANDS, UNIMPLEMENTED } from '../../packages/session/src/command-table.js';
// The storage adapter guide's conformance run: its describe blocks register on import.
import '../../docs/examples/audit-storage.conformance.js';
import '../../docs/examples/read-only-storage.conformance.js';

// Every example in the docs is a file under docs/examples/, included verbatim by the markdown
// (checked here) and run here against real sockets on 127.0.0.1, port 0.

const repo = resolve(import.meta.dirname, '../..');
const examples = join(repo, 'docs', 'examples');
const MARKER = /^<!-- example: (docs\/examples\/[\w.-]+) -->$/;
const CHECKED_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'yaml', 'yml', 'json']);

function markdownFiles(): string[] {
  const docs = join(repo, 'docs');
  return [join(repo, 'README.md'), ...readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => join(docs, f))];
}

interface Block {
  file: string;
  line: number;
  lang: string;
  body: string;
  example?: string;
}

function codeBlocks(file: string): Block[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i] ?? '');
    const marker = MARKER.exec(lines[start - 1] ?? '');
    blocks.push({ file, line: start + 1, lang: open[1] ?? '', body: `${body.join('\n')}\n`, ...(marker?.[1] ? { example: marker[1] } : {}) });
  }
  return blocks;
}

function requireProgram(name: string): boolean {
  if (spawnSync('which', [name]).status === 0) return true;
  if (process.env.CI) throw new Error(`${name} is missing: \`pnpm test:setup\` installs it`);
  return false;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function downloadBytes(client: FtpClient, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await client.download(path, new Writable({ write: (chunk: Buffer, _enc, done) => (chunks.push(chunk), done()) }));
  return Buffer.concat(chunks);
}

/** A port that was free a moment ago (for a one-port passive range the program insists on). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', fail);
    child.on('close', (code) => (clearTimeout(timer), done({ code, stdout, stderr })));
  });
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('docs include their examples verbatim', () => {
  const blocks = markdownFiles().flatMap(codeBlocks);

  it('every example block equals its file', () => {
    const marked = blocks.filter((b) => b.example);
    expect(marked.length).toBeGreaterThan(0);
    for (const block of marked) {
      const path = join(repo, block.example ?? '');
      expect(existsSync(path), `${block.file}:${block.line} includes a missing ${block.example}`).toBe(true);
      expect(block.body, `${block.file}:${block.line} differs from ${block.example}`).toBe(readFileSync(path, 'utf8'));
    }
  });

  it('every code block (ts, js, yaml, json) in README.md and docs/*.md is an included example', () => {
    const loose = blocks.filter((b) => CHECKED_LANGUAGES.has(b.lang) && !b.example).map((b) => `${b.file}:${b.line}`);
    expect(loose).toEqual([]);
  });

  it('every file in docs/examples is included by some page', () => {
    const included = new Set(blocks.map((b) => b.example));
    for (const file of readdirSync(examples)) expect(included.has(`docs/examples/${file}`), file).toBe(true);
  });
});

describe('docs/production.md: the S3 lifecycle rule', () => {
  it('is what put-bucket-lifecycle-configuration takes: one enabled rule aborting incomplete multipart uploads', async () => {
    const rule = JSON.parse(await readFile(join(examples, 's3-lifecycle-rule.json'), 'utf8')) as {
      Rules: Array<{ Status: string; Filter: { Prefix: string }; AbortIncompleteMultipartUpload: { DaysAfterInitiation: number } }>;
    };
    expect(rule.Rules).toHaveLength(1);
    expect(rule.Rules[0]).toMatchObject({ Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } });
  });
});

describe('docs/rfc-compliance.md', () => {
  it('names every verb of the session command table, implemented or not', () => {
    const page = readFileSync(join(repo, 'docs', 'rfc-compliance.md'), 'utf8');
    const verbs = [...COMMANDS.flatMap((c) => [c.verb, ...(c.aliases ?? [])]), ...UNIMPLEMENTED.map((u) => u.verb)];
    expect(verbs.length).toBeGreaterThan(50);
    expect(verbs.filter((verb) => !page.includes(`\`${verb}\``))).toEqual([]);
  });
});

describe('README: the embedded server and the client', () => {
  it('serve hello.txt, list, download and upload it', { timeout: 120_000 }, async () => {
    const before = { PORT: process.env.PORT, FTP_URL: process.env.FTP_URL };
    cleanups.push(async () => {
      for (const [key, value] of Object.entries(before)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });
    process.env.PORT = '0';
    const { server } = (await import('../../docs/examples/embedded-server.js')) as { server: FtpServer };
    cleanups.push(() => server.close({ graceMs: 500 }));
    const port = server.address()?.port;
    expect(port).toBeGreaterThan(0);

    const dir = await mkdtemp(join(tmpdir(), 'ftpkit-docs-client-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const cwd = process.cwd();
    process.env.FTP_URL = `ftp://alice:secret@127.0.0.1:${port}`;
    process.chdir(dir);
    try {
      await import('../../docs/examples/client.js');
    } finally {
      process.chdir(cwd);
    }
    expect(await readFile(join(dir, 'hello.txt'), 'utf8')).toBe('Hello from ftpkit!\n');
    const check = await FtpClient.connect(`ftp://alice:secret@127.0.0.1:${port}`);
    try {
      expect((await downloadBytes(check, '/hello-again.txt')).toString()).toBe('Hello from ftpkit!\n');
    } finally {
      await check.close();
    }
  });
});

describe('production: several instances on one S3 bucket', () => {
  it('a file uploaded through one instance is downloaded through another', { timeout: 180_000 }, async () => {
    const s3 = await startS3rver({ buckets: ['ftp-files'] });
    cleanups.push(() => s3.stop());
    const saved = { ...process.env };
    cleanups.push(async () => {
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_REQUEST_CHECKSUM_CALCULATION', 'AWS_RESPONSE_CHECKSUM_VALIDATION']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    });
    // The AWS SDK's own environment variables; s3rver wants checksums only where required.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    });
    const { createS3FtpServer } = await import('../../docs/examples/s3-server.js');
    const env = { FTP_S3_URL: 's3://ftp-files/shared/', S3_ENDPOINT: s3.endpoint, FTP_ALICE_PASSWORD: 'pw', FTP_PUBLIC_ADDRESS: '127.0.0.1' };
    const servers = [createS3FtpServer(env), createS3FtpServer(env)];
    const ports: number[] = [];
    for (const server of servers) {
      cleanups.push(() => server.close({ graceMs: 500 }));
      ports.push((await server.listen(0, '127.0.0.1')).port);
    }
    const payload = randomBytes(6 * 1024 * 1024 + 5);
    const a = await FtpClient.connect(`ftp://alice:pw@127.0.0.1:${ports[0]}`);
    try {
      await a.mkdir('/in');
      await a.upload(Readable.from([payload]), '/in/data.bin');
    } finally {
      await a.close();
    }
    const b = await FtpClient.connect(`ftp://alice:pw@127.0.0.1:${ports[1]}`);
    try {
      expect(sha256(await downloadBytes(b, '/in/data.bin'))).toBe(sha256(payload));
      expect((await b.list('/in')).map((e) => e.name)).toEqual(['data.bin']);
    } finally {
      await b.close();
    }
    const refused = FtpClient.connect(`ftp://alice:wrong@127.0.0.1:${ports[1]}`, { retries: 0 });
    await expect(refused).rejects.toMatchObject({ replyCode: 530 });
  });
});

describe('production: the ftpkit-server config and users file', () => {
  it('serve alice her root over required TLS, refuse plaintext login and read-only writes (curl)', { timeout: 180_000 }, async (ctx) => {
    if (!requireProgram('curl') || !requireProgram('openssl')) return ctx.skip();
    const main = join(repo, 'apps', 'server', 'dist', 'main.js');
    expect(existsSync(main), 'apps/server has no dist/: run `pnpm build` first (`pnpm test` does)').toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'ftpkit-docs-config-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await copyFile(join(examples, 'ftpkit-server.yaml'), join(dir, 'ftpkit-server.yaml'));
    await copyFile(join(examples, 'users.yaml'), join(dir, 'users.yaml'));
    await mkdir(join(dir, 'tls'));
    const cert = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls/key.pem', '-out', 'tls/cert.pem', '-days', '1', '-subj', '/CN=127.0.0.1'], dir);
    expect(cert.code, cert.stderr).toBe(0);
    await mkdir(join(dir, 'ftp-data', 'alice'), { recursive: true });
    await writeFile(join(dir, 'ftp-data', 'alice', 'hello.txt'), 'hello alice\n');
    await writeFile(join(dir, 'up.txt'), 'upload\n');

    // Flags win over the file: a free port instead of 21, loopback instead of the public address.
    const pasv = await freePort();
    const server: ChildProcess = spawn(
      process.execPath,
      [main, '--config', join(dir, 'ftpkit-server.yaml'), '--host', '127.0.0.1', '--port', '0', '--pasv-address', '127.0.0.1', '--pasv-ports', `${pasv}-${pasv}`],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(async () => {
      if (server.exitCode === null) server.kill('SIGKILL');
    });
    let output = '';
    const port = await new Promise<number>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`ftpkit-server did not start: ${output}`)), 60_000);
      const seen = (d: Buffer): void => {
        output += d.toString();
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          done(Number(m[1]));
        }
      };
      server.stdout?.on('data', seen);
      server.stderr?.on('data', seen);
      server.on('exit', (code) => fail(new Error(`ftpkit-server exited ${code}: ${output}`)));
    });
    const url = `ftp://127.0.0.1:${port}/`;
    const got = await run('curl', ['-sS', '--ssl-reqd', '-k', '--user', 'alice:alice-password', `${url}hello.txt`], dir);
    expect(got.stdout, got.stderr).toBe('hello alice\n');
    const plain = await run('curl', ['-sS', '--user', 'alice:alice-password', `${url}hello.txt`], dir);
    expect(plain.code, 'plaintext login must be refused under requireTls').not.toBe(0);
    const readOnly = await run('curl', ['-sS', '--ssl-reqd', '-k', '--user', 'auditor:auditor-password', '-T', 'up.txt', `${url}up.txt`], dir);
    expect(readOnly.code, 'auditor is read-only').not.toBe(0);
    const listed = await run('curl', ['-sS', '--ssl-reqd', '-k', '--user', 'auditor:auditor-password', '--list-only', url], dir);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('alice');
    server.kill('SIGTERM');
    await new Promise((done) => (server.exitCode === null ? server.once('exit', done) : done(undefined)));
    expect(server.exitCode).toBe(0);
    // JSON logs on stderr, one object a line.
    const jsonLines = output.split('\n').filter((l) => l.startsWith('{'));
    expect(jsonLines.length).toBeGreaterThan(0);
    for (const line of jsonLines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });
});

describe('production: hooks and external authentication', () => {
  it('the hooks config runs its scripts, signs its URL events and asks the auth service (curl)', { timeout: 180_000 }, async (ctx) => {
    if (!requireProgram('curl')) return ctx.skip();
    const main = join(repo, 'apps', 'server', 'dist', 'main.js');
    expect(existsSync(main), 'apps/server has no dist/: run `pnpm build` first (`pnpm test` does)').toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'ftpkit-docs-hooks-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const { startAuthService } = await import('../../docs/examples/auth-service.js');
    const { startHookReceiver } = await import('../../docs/examples/hook-receiver.js');
    const auth = await startAuthService(0);
    cleanups.push(() => new Promise((done) => auth.close(done)));
    const events: Record<string, unknown>[] = [];
    const receiver = await startHookReceiver('hook-secret-text', (e) => events.push(e), 0);
    cleanups.push(() => new Promise((done) => receiver.close(done)));
    const portOf = (s: { address: () => unknown }): number => (s.address() as { port: number }).port;

    // The files as the page shows them; only the two fixed ports become free ones.
    const yaml = (await readFile(join(examples, 'ftpkit-server-hooks.yaml'), 'utf8'))
      .replace('127.0.0.1:8080', `127.0.0.1:${portOf(receiver)}`)
      .replace('127.0.0.1:8081', `127.0.0.1:${portOf(auth)}`);
    await writeFile(join(dir, 'ftpkit-server-hooks.yaml'), yaml);
    for (const f of ['users.yaml', 'process-upload.sh', 'allow-upload.sh']) await copyFile(join(examples, f), join(dir, f));
    await writeFile(join(dir, 'hook-secret'), 'hook-secret-text\n');
    await mkdir(join(dir, 'ftp-data'));
    await writeFile(join(dir, 'up.txt'), 'upload\n');
    const uploadLog = join(dir, 'uploads.log');
    const server: ChildProcess = spawn(process.execPath, [main, '--config', join(dir, 'ftpkit-server-hooks.yaml'), '--host', '127.0.0.1', '--port', '0'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, UPLOAD_LOG: uploadLog, FTPKIT_LOG_FORMAT: 'json' },
    });
    cleanups.push(async () => {
      if (server.exitCode === null) server.kill('SIGKILL');
    });
    let output = '';
    const port = await new Promise<number>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`ftpkit-server did not start: ${output}`)), 60_000);
      const seen = (d: Buffer): void => {
        output += d.toString();
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          done(Number(m[1]));
        }
      };
      server.stdout?.on('data', seen);
      server.stderr?.on('data', seen);
      server.on('exit', (code) => fail(new Error(`ftpkit-server exited ${code}: ${output}`)));
    });
    const url = `ftp://127.0.0.1:${port}/`;
    const up = await run('curl', ['-sS', '--user', 'carol:carol-password', '-T', 'up.txt', `${url}report.txt`], dir);
    expect(up.code, up.stderr).toBe(0);
    expect(await readFile(join(dir, 'ftp-data', 'carol', 'report.txt'), 'utf8')).toBe('upload\n');
    const refused = await run('curl', ['-sS', '--user', 'carol:carol-password', '-T', 'up.txt', `${url}tool.exe`], dir);
    expect(refused.stderr).toContain('553');
    expect(existsSync(join(dir, 'ftp-data', 'carol', 'tool.exe'))).toBe(false);
    const wrong = await run('curl', ['-sS', '--user', 'carol:nope', `${url}`], dir);
    expect(wrong.code).not.toBe(0);
    for (let i = 0; i < 200 && (events.length < 1 || !existsSync(uploadLog)); i++) await new Promise((done) => setTimeout(done, 50));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: 'upload', user: 'carol', path: '/report.txt', size: 7, status: 'ok', localPath: join(dir, 'ftp-data', 'carol', 'report.txt') });
    expect(await readFile(uploadLog, 'utf8')).toBe(`carol\t7\t${join(dir, 'ftp-data', 'carol', 'report.txt')}\n`);
    server.kill('SIGTERM');
    await new Promise((done) => (server.exitCode === null ? server.once('exit', done) : done(undefined)));
    expect(server.exitCode).toBe(0);
  });

  it('embedded: createHttpAuthenticator and the hook runner on @ftpkit/server', { timeout: 60_000 }, async () => {
    const { startAuthService } = await import('../../docs/examples/auth-service.js');
    const { startHookReceiver } = await import('../../docs/examples/hook-receiver.js');
    const { startServerWithHooks } = await import('../../docs/examples/embedded-hooks.js');
    const auth = await startAuthService(0);
    cleanups.push(() => new Promise((done) => auth.close(done)));
    const events: Record<string, unknown>[] = [];
    const receiver = await startHookReceiver('s3cret', (e) => events.push(e), 0);
    cleanups.push(() => new Promise((done) => receiver.close(done)));
    const root = await mkdtemp(join(tmpdir(), 'ftpkit-docs-embedded-hooks-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const portOf = (s: { address: () => unknown }): number => (s.address() as { port: number }).port;
    const { server, hooks } = await startServerWithHooks({ root, authUrl: `http://127.0.0.1:${portOf(auth)}/`, hookUrl: `http://127.0.0.1:${portOf(receiver)}/`, secret: 's3cret' });
    cleanups.push(() => server.close({ graceMs: 500 }));
    const client = await FtpClient.connect(`ftp://carol:carol-password@127.0.0.1:${server.address()?.port}`);
    try {
      await client.upload(Readable.from([Buffer.from('hi')]), '/x.txt');
      await client.remove('/x.txt');
    } finally {
      await client.close();
    }
    for (let i = 0; i < 200 && events.length < 2; i++) await new Promise((done) => setTimeout(done, 50));
    expect(events.map((e) => `${String(e.event)} ${String(e.path)} ${String(e.status)}`).sort()).toEqual(['delete /x.txt ok', 'upload /x.txt ok']);
    expect(hooks.stats()).toMatchObject({ succeeded: 2, failed: 0, dropped: 0 });
    await expect(FtpClient.connect(`ftp://carol:wrong@127.0.0.1:${server.address()?.port}`, { retries: 0 })).rejects.toMatchObject({ replyCode: 530 });
  });
});
