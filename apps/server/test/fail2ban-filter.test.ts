/**
 * The fail2ban filter of docs/production.md against the real log of the built program (issue 17,
 * point 2): it matches exactly the failed logins and takes the client address from `ip`, also
 * when a user name tries to forge one. Run by fail2ban-regex itself (Debian's fail2ban, installed
 * by `pnpm test:setup`), and by the same regular expression in JavaScript.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../../../packages/server/test/raw-client.js';
import { programEnv, programReady, startProgram } from '../src/test-support/s3-program.js';

const DOCS = join(import.meta.dirname, '..', '..', '..', 'docs', 'production.md');
const hasFail2ban = spawnSync('fail2ban-regex', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasFail2ban && process.env.CI) throw new Error('fail2ban-regex is missing: run `pnpm test:setup` to install the test programs');

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** The filter file as the docs show it (the ini block that starts with its path). */
function filterFromDocs(): string {
  const m = /```ini\n(# \/etc\/fail2ban\/filter\.d\/ftpkit\.conf\n[\s\S]*?)```/.exec(readFileSync(DOCS, 'utf8'));
  if (m?.[1] === undefined) throw new Error('docs/production.md has no fail2ban filter block');
  return m[1];
}

/** failregex in JavaScript: <HOST> becomes a named group; the rest is common regex syntax. */
function failRegex(filter: string): RegExp {
  const line = /^failregex\s*=\s*(.+)$/m.exec(filter)?.[1];
  if (line === undefined) throw new Error('no failregex');
  return new RegExp(line.replace('<HOST>', '(?<host>[0-9a-fA-F.:]+)'));
}

function fail2banRegex(log: string, filter: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('fail2ban-regex', ['-o', 'ip', log, filter], { timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr });
    });
  });
}

async function attempt(port: number, from: string, user: string, pass: string): Promise<number | undefined> {
  const c = await RawClient.connect(port, from);
  cleanup.push(() => c.close());
  expect((await c.next())?.code).toBe(220);
  expect((await c.cmd(`USER ${user}`)).code).toBe(331);
  const code = (await c.cmd(`PASS ${pass}`)).code;
  if (code === 230) await c.cmd('CWD /missing');
  await c.cmd('QUIT');
  return code;
}

describe('the fail2ban filter in docs/production.md', () => {
  it('matches exactly the failed-login lines of the real log and extracts their address', async () => {
    if (!programReady()) return;
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-f2b-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'srv'));
    writeFileSync(join(dir, 'config.yaml'), 'limits:\n  loginFailureDelayMs: 0\n  maxLoginFailuresPerIp: 100\n');
    const program = await startProgram(['--root', join(dir, 'srv'), '--user', 'alice:secret', '--config', join(dir, 'config.yaml')], programEnv({ FTPKIT_LOG_LEVEL: 'debug' }));
    cleanup.push(() => program.stop());

    const failures: string[] = [];
    for (let i = 0; i < 3; i++) {
      expect(await attempt(program.port, '127.0.0.7', 'alice', `wrong${i}`)).toBe(530);
      failures.push('127.0.0.7');
    }
    // A user name shaped like the ip field is escaped in JSON: the address stays the real one.
    expect(await attempt(program.port, '127.0.0.8', 'x","ip":"10.9.9.9","port":1,"msg":"login failed"}', 'nope')).toBe(530);
    failures.push('127.0.0.8');
    // Not failed logins: a good login (with a refused command after it) and a command before login.
    expect(await attempt(program.port, '127.0.0.1', 'alice', 'secret')).toBe(230);
    const early = await RawClient.connect(program.port, '127.0.0.6');
    cleanup.push(() => early.close());
    await early.next();
    expect((await early.cmd('CWD /')).code).toBe(530);
    early.close();
    expect(await program.stop()).toBe(0);

    const log = join(dir, 'ftpkit-server.log');
    writeFileSync(log, program.stderr());
    const filter = join(dir, 'ftpkit.conf');
    writeFileSync(filter, filterFromDocs());

    const failedLines = program.stderr().split('\n').filter((l) => l.includes('"msg":"login failed"'));
    expect(failedLines).toHaveLength(4);
    const re = failRegex(filterFromDocs());
    const matched = program.stderr().split('\n').flatMap((l) => {
      const host = re.exec(l)?.groups?.host;
      return host === undefined ? [] : [host];
    });
    expect(matched).toEqual(failures);

    if (!hasFail2ban) return;
    const run = await fail2banRegex(log, filter);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual(failures);
  });
});
