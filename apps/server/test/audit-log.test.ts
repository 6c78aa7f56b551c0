/**
 * The audit trail of the built program (issue 17, point 2): every file operation and every
 * refusal has a JSON line with the user, the client address in its own field, the path and the
 * reply code; every line of a JSON log is JSON with an ISO 8601 time; a transfer cut by shutdown
 * has its line and the process says "stopped".
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pasvPort, RawClient } from '../../../packages/server/test/raw-client.js';
import { programEnv, programReady, startProgram, type ProgramProcess } from '../src/test-support/s3-program.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type LogLine = Record<string, unknown>;

/** Every line of stderr parsed as JSON (a line that is not JSON fails the test, naming it). */
function logLines(stderr: string): LogLine[] {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`a log line is not JSON: ${line}`);
      }
    });
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ftpkit-audit-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(args: string[]): Promise<ProgramProcess> {
  const program = await startProgram(args, programEnv({ FTPKIT_LOG_LEVEL: 'info' }));
  cleanup.push(() => program.stop());
  return program;
}

async function loggedIn(c: RawClient, user: string, pass: string): Promise<void> {
  expect((await c.cmd(`USER ${user}`)).code).toBe(331);
  expect((await c.cmd(`PASS ${pass}`)).code).toBe(230);
}

async function connected(port: number, localAddress?: string): Promise<RawClient> {
  const c = await RawClient.connect(port, localAddress);
  cleanup.push(() => c.close());
  expect((await c.next())?.code).toBe(220);
  return c;
}

/** Waits (bounded) until the log has a line that `match` accepts. */
async function waitForLine(program: ProgramProcess, match: (l: LogLine) => boolean): Promise<LogLine> {
  const started = Date.now();
  for (;;) {
    const found = program
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{') && l.endsWith('}'))
      .map((l) => JSON.parse(l) as LogLine)
      .find(match);
    if (found !== undefined) return found;
    if (Date.now() - started > 20_000) throw new Error(`no such log line in 20 s; stderr: ${program.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the audit trail of the built ftpkit-server', () => {
  it('logs each file operation and each refusal with user, ip, path and code; every line JSON with an ISO time', async () => {
    if (!programReady()) return;
    const dir = tempDir();
    const root = join(dir, 'srv');
    mkdirSync(join(root, 'old'), { recursive: true });
    writeFileSync(join(root, 'a.txt'), 'a');
    writeFileSync(join(root, 'b.txt'), 'b');
    writeFileSync(join(dir, 'config.yaml'), 'limits:\n  maxConnectionsPerIp: 2\n  maxLoginFailuresPerIp: 2\n  loginFailureDelayMs: 0\n');
    const program = await start(['--root', root, '--user', 'alice:secret', '--anonymous', '--config', join(dir, 'config.yaml')]);

    const c = await connected(program.port);
    expect((await c.cmd('CWD /')).code).toBe(530);
    await loggedIn(c, 'alice', 'secret');
    expect((await c.cmd('MKD new')).code).toBe(257);
    expect((await c.cmd('DELE a.txt')).code).toBe(250);
    expect((await c.cmd('DELE missing.txt')).code).toBe(550);
    expect((await c.cmd('RNFR b.txt')).code).toBe(350);
    expect((await c.cmd('RNTO new/c.txt')).code).toBe(250);
    expect((await c.cmd('SITE CHMOD 600 new/c.txt')).code).toBe(200);
    expect((await c.cmd('RMD old')).code).toBe(250);
    expect((await c.cmd('MKD bad\u0001name')).code).toBe(553);
    expect((await c.retr('new/c.txt')).toString()).toBe('b');

    const anon = await connected(program.port);
    await loggedIn(anon, 'anonymous', 'guest@');
    expect((await anon.cmd('DELE new/c.txt')).code).toBe(550);

    // A third connection from 127.0.0.1 (alice's and anonymous's are open): per-address 421.
    const third = await RawClient.connect(program.port);
    cleanup.push(() => third.close());
    expect((await third.next())?.code).toBe(421);

    // Two wrong passwords from 127.0.0.9 ban it: its next connection is refused.
    const guesser = await connected(program.port, '127.0.0.9');
    await guesser.cmd('USER alice');
    expect((await guesser.cmd('PASS wrong1')).code).toBe(530);
    await guesser.cmd('USER alice');
    expect((await guesser.cmd('PASS wrong2')).code).toBe(530);
    guesser.close();
    const banned = await RawClient.connect(program.port, '127.0.0.9');
    cleanup.push(() => banned.close());
    expect((await banned.next())?.code).toBe(421);

    await waitForLine(program, (l) => l.msg === 'transfer end');
    await waitForLine(program, (l) => typeof l.msg === 'string' && l.msg.includes('banned'));
    expect(await program.stop()).toBe(0);

    const lines = logLines(program.stderr());
    for (const l of lines) expect(l.time, JSON.stringify(l)).toMatch(ISO_TIME);
    const find = (want: LogLine): LogLine | undefined =>
      lines.find((l) => Object.entries(want).every(([k, v]) => l[k] === v));
    const expectLine = (want: LogLine, level: number): void => {
      const line = find(want);
      expect(line, `no line like ${JSON.stringify(want)} in:\n${program.stderr()}`).toBeDefined();
      expect(line?.level).toBe(level);
      // The address without the port, in its own field.
      expect(line?.ip).toBe(want.ip ?? '127.0.0.1');
    };
    const INFO = 30;
    const WARN = 40;
    expectLine({ msg: 'mkdir', user: 'alice', path: '/new', code: 257 }, INFO);
    expectLine({ msg: 'delete', user: 'alice', path: '/a.txt', code: 250 }, INFO);
    expectLine({ msg: 'delete refused', user: 'alice', path: '/missing.txt', code: 550 }, WARN);
    expectLine({ msg: 'rename', user: 'alice', path: '/b.txt', to: '/new/c.txt', code: 250 }, INFO);
    expectLine({ msg: 'chmod', user: 'alice', path: '/new/c.txt', code: 200 }, INFO);
    expectLine({ msg: 'rmdir', user: 'alice', path: '/old', code: 250 }, INFO);
    expectLine({ msg: 'command refused', verb: 'CWD', code: 530 }, WARN);
    expectLine({ msg: 'command refused', user: 'alice', verb: 'MKD', code: 553 }, WARN);
    expectLine({ msg: 'command refused', user: 'anonymous', verb: 'DELE', path: '/new/c.txt', code: 550 }, WARN);
    expectLine({ msg: 'transfer end', user: 'alice', path: '/new/c.txt', direction: 'download', bytes: 1, ok: true }, INFO);
    expectLine({ msg: 'login failed', user: 'alice', ip: '127.0.0.9' }, WARN);
    expectLine({ reason: 'max-connections-per-ip', code: 421 }, WARN);
    expect(lines.find((l) => l.ip === '127.0.0.9' && typeof l.msg === 'string' && l.msg.includes('banned'))?.level).toBe(WARN);
    // The connection's port is a field of its own, never glued to the address.
    expect(typeof find({ msg: 'delete' })?.port).toBe('number');
    expect(lines.at(-1), program.stderr().split('\n').slice(-6).join('\n')).toMatchObject({ msg: 'stopped', signal: 'SIGTERM' });
    expect(program.stderr()).not.toContain('secret');
  });

  it('a transfer cut by shutdown has its line, then "stopped"', async () => {
    if (!programReady()) return;
    const dir = tempDir();
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(64 * 1024 * 1024, 7));
    const program = await start(['--root', dir, '--user', 'u:p', '--grace-ms', '0']);
    // curl at 256 KB/s: the 64 MiB download is running when SIGTERM comes.
    const download = new Promise<void>((resolve) => {
      execFile('curl', ['-sS', '--max-time', '60', '--limit-rate', '256k', '-o', '/dev/null', `ftp://u:p@127.0.0.1:${program.port}/big.bin`], () => resolve());
    });
    await waitForLine(program, (l) => l.msg === 'login');
    await new Promise((r) => setTimeout(r, 500));
    expect(await program.stop()).toBe(0);
    await download;
    const lines = logLines(program.stderr());
    const end = lines.find((l) => l.msg === 'transfer end');
    expect(end, program.stderr()).toMatchObject({ path: '/big.bin', direction: 'download', ok: false, aborted: true, user: 'u', ip: '127.0.0.1' });
    expect(end?.bytes).toBeGreaterThan(0);
    expect(lines.findIndex((l) => l.msg === 'transfer end')).toBeLessThan(lines.findIndex((l) => l.msg === 'stopped'));
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped', signal: 'SIGTERM' });
  });

  it('a download the client cuts after 800,000 of 1,048,576 bytes is logged failed, and the client gets 426, not 226', async () => {
    if (!programReady()) return;
    const dir = tempDir();
    const SIZE = 1_048_576;
    writeFileSync(join(dir, 'mb.bin'), Buffer.alloc(SIZE, 3));
    const program = await start(['--root', dir, '--user', 'u:p']);
    const c = await connected(program.port);
    await loggedIn(c, 'u', 'p');
    expect((await c.cmd('TYPE I')).code).toBe(200);
    const pasv = await c.cmd('PASV');
    const data = connect(pasvPort(pasv.text).port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => data.once('connect', resolve).once('error', reject));
    data.on('error', () => undefined);
    // Read 800,000 bytes, then close with the rest unread (the kernel then resets the connection).
    const received = new Promise<number>((resolve) => {
      let n = 0;
      data.on('data', (chunk: Buffer) => {
        n += chunk.length;
        if (n >= 800_000) {
          data.pause();
          data.destroy();
          resolve(n);
        }
      });
    });
    expect((await c.cmd('RETR mb.bin')).code).toBe(150);
    const got = await received;
    expect(got).toBeLessThan(SIZE);
    expect((await c.next(20_000))?.code).toBe(426);
    const end = await waitForLine(program, (l) => l.msg === 'transfer end');
    expect(end).toMatchObject({ path: '/mb.bin', direction: 'download', ok: false, aborted: false, user: 'u' });
    // What the kernel took for the client, never more than the file (it cannot know what the client read).
    expect(end.bytes).toBeLessThanOrEqual(SIZE);
  });

  it('a client that keeps the data connection open until the 226 still gets it (the wait for its close is bounded)', async () => {
    if (!programReady()) return;
    const dir = tempDir();
    writeFileSync(join(dir, 'small.bin'), Buffer.alloc(100_000, 5));
    const program = await start(['--root', dir, '--user', 'u:p']);
    const c = await connected(program.port);
    await loggedIn(c, 'u', 'p');
    const pasv = await c.cmd('PASV');
    // allowHalfOpen: reading the end of the data does not close this side.
    const data = connect({ port: pasvPort(pasv.text).port, host: '127.0.0.1', allowHalfOpen: true });
    cleanup.push(() => data.destroy());
    await new Promise<void>((resolve, reject) => data.once('connect', resolve).once('error', reject));
    let n = 0;
    const ended = new Promise<void>((resolve) => data.on('data', (chunk: Buffer) => (n += chunk.length)).once('end', resolve));
    expect((await c.cmd('RETR small.bin')).code).toBe(150);
    await ended;
    expect(n).toBe(100_000);
    expect((await c.next(20_000))?.code).toBe(226);
    expect(await waitForLine(program, (l) => l.msg === 'transfer end')).toMatchObject({ ok: true, bytes: 100_000 });
  });
});

