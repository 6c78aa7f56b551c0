/**
 * The users file against the built program (issue 17, point 3): every mistake is a one-line error
 * naming the user and the key (exit 2), and the per-user settings it accepts are the ones honoured.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../../../packages/server/test/raw-client.js';
import { hashPassword } from '../src/password-hash.js';
import { curl, programEnv, programReady, runProgram, startProgram, type ProgramProcess } from '../src/test-support/s3-program.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function tempDir(): { dir: string; root: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ftpkit-users-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'srv');
  mkdirSync(root);
  return { dir, root };
}

let aliceHash: string | undefined;
async function hashOfAlice(): Promise<string> {
  aliceHash ??= await hashPassword('alice-pw');
  return aliceHash;
}

async function started(root: string, usersFile: string): Promise<ProgramProcess> {
  const p = await startProgram(['--root', root, '--users', usersFile], programEnv({ FTPKIT_LOG_LEVEL: 'warn' }));
  cleanup.push(() => p.stop());
  return p;
}

async function loggedIn(port: number, user: string, password: string): Promise<RawClient> {
  const c = await RawClient.connect(port);
  cleanup.push(() => c.close());
  await c.login(user, password);
  return c;
}

describe('a strict users file', () => {
  it('refuses each mistake at start with exit 2 and one line naming the user and the key', { timeout: 120_000 }, async () => {
    if (!programReady()) return;
    const { dir, root } = tempDir();
    const hash = await hashOfAlice();
    const cases: Array<{ yaml: string; line: RegExp }> = [
      // The case that made a read-only user a writer.
      { yaml: `users:\n  - name: alice\n    password: "${hash}"\n    readonly: true\n`, line: /\(users\[0\]\)\.readonly: user "alice": unknown key \(did you mean "readOnly"\?\)$/ },
      { yaml: `users:\n  - name: alice\n    password: "scrypt$32768$8$1$c2FsdA==$"\n`, line: /\(users\[0\]\)\.password: user "alice": .*scrypt hash/ },
      { yaml: `users:\n  - name: alice\n    password: "scrypt$3$8$1$c2FsdHNhbHQ=$a2V5a2V5a2V5"\n`, line: /\(users\[0\]\)\.password: user "alice": .*scrypt/ },
      { yaml: `users:\n  - name: alice\n    password: "plain-text"\n`, line: /\(users\[0\]\)\.password: user "alice": must be an scrypt hash/ },
      { yaml: 'users: []\n', line: /--users: .*users\.yaml lists no users/ },
      { yaml: `users:\n  - name: alice\n    password: "${hash}"\n    downloadBytesPerSecond: fast\n`, line: /\(users\[0\]\)\.downloadBytesPerSecond: user "alice": must be/ },
      { yaml: `users:\n  - name: alice\n    password: "${hash}"\n    readOnly: "no"\n`, line: /\(users\[0\]\)\.readOnly: user "alice": must be true or false/ },
      { yaml: `users:\n  - name: alice\n    password: "${hash}"\n    deny: [DELL]\n`, line: /\(users\[0\]\)\.deny: user "alice": .*"DELL"/ },
      { yaml: `users:\n  - name: alice\n    password: "${hash}"\n    maxSessions: 0\n`, line: /\(users\[0\]\)\.maxSessions: user "alice": must be/ },
      { yaml: `users:\n  - name: alice\n    password: "${hash}"\n  - name: bob\n    password: "${hash}"\n    quota: 10\n`, line: /\(users\[1\]\)\.quota: user "bob": unknown key/ },
      { yaml: `user:\n  - name: alice\n    password: "${hash}"\n`, line: /--users: .*"user" is not a users file key/ },
    ];
    const file = join(dir, 'users.yaml');
    for (const { yaml, line } of cases) {
      writeFileSync(file, yaml);
      const r = await runProgram(['--port', '0', '--root', root, '--users', file], programEnv());
      expect({ yaml, code: r.code }).toEqual({ yaml, code: 2 });
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^ftpkit-server: --users[: ]/);
      expect(lines[0]).toMatch(line);
    }
    // The plain --user-file too: no users is an error, not the generated user.
    writeFileSync(join(dir, 'users.txt'), '# nobody yet\n\n');
    const empty = await runProgram(['--port', '0', '--root', root, '--user-file', join(dir, 'users.txt')], programEnv());
    expect(empty).toMatchObject({ code: 2, stdout: '', stderr: `ftpkit-server: --user-file: ${join(dir, 'users.txt')} lists no users\n` });
  });

  it('a per-user downloadBytesPerSecond slows that user down', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const { dir, root } = tempDir();
    writeFileSync(join(root, 'big.bin'), Buffer.alloc(300 * 1024, 7));
    const file = join(dir, 'users.yaml');
    writeFileSync(file, `users:\n  - name: alice\n    password: "${await hashOfAlice()}"\n    downloadBytesPerSecond: 102400\n`);
    const p = await started(root, file);
    const t0 = performance.now();
    const got = await curl(['-o', '/dev/null', '-w', '%{size_download}', `ftp://alice:alice-pw@127.0.0.1:${p.port}/big.bin`]);
    const seconds = (performance.now() - t0) / 1000;
    expect(got.stdout).toBe(String(300 * 1024));
    // 300 KiB at 100 KiB/s with a one-second burst: about 2 s; unlimited it takes milliseconds.
    expect(seconds).toBeGreaterThan(1.5);
  });

  it('a readOnly user gets 550 on STOR, a deny list refuses its verbs', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const { dir, root } = tempDir();
    writeFileSync(join(root, 'keep.txt'), 'keep');
    const file = join(dir, 'users.yaml');
    const hash = await hashOfAlice();
    writeFileSync(file, `users:\n  - name: alice\n    password: "${hash}"\n    readOnly: true\n  - name: bob\n    password: "${hash}"\n    deny: [dele, RMD]\n`);
    const p = await started(root, file);
    const alice = await loggedIn(p.port, 'alice', 'alice-pw');
    expect((await alice.cmd('STOR x.txt')).code).toBe(550);
    const bob = await loggedIn(p.port, 'bob', 'alice-pw');
    expect((await bob.cmd('DELE keep.txt')).code).toBe(550);
    expect((await bob.cmd('MKD d')).code).toBe(257);
    expect((await bob.cmd('RMD d')).code).toBe(550);
  });

  it('maxSessions: a login beyond it is refused until one of the sessions ends', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const { dir, root } = tempDir();
    const file = join(dir, 'users.yaml');
    writeFileSync(file, `users:\n  - name: alice\n    password: "${await hashOfAlice()}"\n    maxSessions: 2\n`);
    const p = await started(root, file);
    const first = await loggedIn(p.port, 'alice', 'alice-pw');
    await loggedIn(p.port, 'alice', 'alice-pw');
    const third = await RawClient.connect(p.port);
    cleanup.push(() => third.close());
    expect((await third.next())?.code).toBe(220);
    expect((await third.cmd('USER alice')).code).toBe(331);
    const refused = await third.cmd('PASS alice-pw');
    expect(refused.code).toBe(421);
    expect(refused.text).toMatch(/Too many sessions for this user/);
    expect(await third.next()).toBeUndefined();
    expect(p.stderr()).toMatch(/maxSessions/);
    expect((await first.cmd('QUIT')).code).toBe(221);
    // The session is released when its connection ends; the server sees that a moment after 221.
    const since = Date.now();
    for (;;) {
      const c = await RawClient.connect(p.port);
      cleanup.push(() => c.close());
      expect((await c.next())?.code).toBe(220);
      await c.cmd('USER alice');
      const r = await c.cmd('PASS alice-pw');
      if (r.code === 230) break;
      if (Date.now() - since > 10_000) throw new Error('the ended session was never released');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('maxSessions refusals never ban the address: more of them than the ban threshold, then a login still gets in', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const { dir, root } = tempDir();
    const file = join(dir, 'users.yaml');
    writeFileSync(file, `users:\n  - name: alice\n    password: "${await hashOfAlice()}"\n    maxSessions: 1\n`);
    const p = await started(root, file);
    const first = await loggedIn(p.port, 'alice', 'alice-pw');
    // The default ban threshold is 10 failed logins per address.
    for (let i = 0; i < 12; i++) {
      const c = await RawClient.connect(p.port);
      cleanup.push(() => c.close());
      expect((await c.next())?.code).toBe(220);
      expect((await c.cmd('USER alice')).code).toBe(331);
      expect((await c.cmd('PASS alice-pw')).code).toBe(421);
      c.close();
    }
    expect((await first.cmd('QUIT')).code).toBe(221);
    const since = Date.now();
    for (;;) {
      const c = await RawClient.connect(p.port);
      cleanup.push(() => c.close());
      // A ban would answer 421 before the greeting.
      expect((await c.next())?.code).toBe(220);
      await c.cmd('USER alice');
      if ((await c.cmd('PASS alice-pw')).code === 230) break;
      if (Date.now() - since > 10_000) throw new Error('never logged in again');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('maxSessions holds under concurrent logins, and a connection that drops without QUIT gives its place back', { timeout: 60_000 }, async () => {
    if (!programReady()) return;
    const { dir, root } = tempDir();
    const file = join(dir, 'users.yaml');
    writeFileSync(file, `users:\n  - name: alice\n    password: "${await hashOfAlice()}"\n    maxSessions: 2\n`);
    const p = await started(root, file);
    const clients = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const c = await RawClient.connect(p.port);
        cleanup.push(() => c.close());
        expect((await c.next())?.code).toBe(220);
        expect((await c.cmd('USER alice')).code).toBe(331);
        return c;
      }),
    );
    // Every PASS is on the wire before any answer: the checks run side by side.
    for (const c of clients) c.send('PASS alice-pw');
    const codes = await Promise.all(clients.map(async (c) => (await c.next(15_000))?.code));
    expect(codes.filter((code) => code === 230)).toHaveLength(2);
    expect(codes.filter((code) => code === 421)).toHaveLength(4);
    // The two logged-in connections vanish without QUIT (a killed client).
    for (const [i, c] of clients.entries()) if (codes[i] === 230) c.socket.destroy();
    const since = Date.now();
    for (;;) {
      const c = await RawClient.connect(p.port);
      cleanup.push(() => c.close());
      expect((await c.next())?.code).toBe(220);
      await c.cmd('USER alice');
      if ((await c.cmd('PASS alice-pw')).code === 230) break;
      if (Date.now() - since > 10_000) throw new Error('the dropped sessions were never released');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
