import { scrypt } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPrograms, ftpkitBin, PASSWORD, repoRoot, runInPty, scratch, startInProcessServer, type InProcessServer,
} from './test-support/cli-harness.js';

const scryptP = promisify(scrypt) as (pw: string, salt: Buffer, len: number, o: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const serverBin = join(repoRoot, 'apps/server/dist/main.js');

let s: InProcessServer;
let where: { dir: string; home: string; cleanup: () => Promise<void> };
let env: Record<string, string>;

beforeAll(async () => {
  await buildPrograms();
  where = await scratch();
  s = await startInProcessServer();
  env = { PATH: process.env.PATH ?? '', HOME: where.home, TERM: 'dumb' };
}, 360_000);

afterAll(async () => {
  await s?.close();
  await where?.cleanup();
});

describe('passwords typed on a terminal are asked for without echo', () => {
  it('ftpkit prompts for a named user with no password, does not echo it, and logs in', async () => {
    const r = await runInPty([process.execPath, ftpkitBin, 'ls', `${s.url}/`], [{ expect: 'Password for bob@127.0.0.1:', send: `${PASSWORD}\r` }], { cwd: where.dir, env });
    expect(r.screen).toContain('Password for bob@127.0.0.1:');
    expect(r.screen).not.toContain(PASSWORD);
    expect(r.code).toBe(0);

    // A wrong password typed at the prompt: the login fails as such (67), still not echoed.
    const wrong = await runInPty([process.execPath, ftpkitBin, 'ls', `${s.url}/`], [{ expect: 'Password for', send: 'Not-The-Password\r' }], { cwd: where.dir, env });
    expect(wrong.screen).not.toContain('Not-The-Password');
    expect(wrong.code).toBe(67);
  }, 120_000);

  it('ftpkit does not prompt when a password is given (env) or no user is named (anonymous)', async () => {
    const given = await runInPty([process.execPath, ftpkitBin, 'ls', `${s.url}/`], [], { cwd: where.dir, env: { ...env, FTPKIT_PASSWORD: PASSWORD } });
    expect(given.screen).not.toContain('Password');
    expect(given.code).toBe(0);
    const anon = await runInPty([process.execPath, ftpkitBin, 'ls', `ftp://127.0.0.1:${s.port}/`], [], { cwd: where.dir, env });
    expect(anon.screen).not.toContain('Password');
    // This server has no anonymous login: refused, not hung on a prompt.
    expect(anon.code).toBe(67);
  }, 120_000);

  it('ftpkit-server hash-password asks twice without echo and hashes what was typed', async () => {
    const typed = 'Typed-Secret-42';
    const r = await runInPty([process.execPath, serverBin, 'hash-password'], [
      { expect: 'Password:', send: `${typed}\r` },
      { expect: 'Repeat password:', send: `${typed}\r` },
    ], { cwd: where.dir, env });
    expect(r.code).toBe(0);
    expect(r.screen).not.toContain(typed);
    const hash = /scrypt\$\S+/.exec(r.screen)?.[0] ?? '';
    const [, n, rr, p, salt, key] = hash.split('$');
    const derived = await scryptP(typed, Buffer.from(salt ?? '', 'base64'), Buffer.from(key ?? '', 'base64').length, { N: Number(n), r: Number(rr), p: Number(p), maxmem: 256 * 1024 * 1024 });
    expect(derived.toString('base64')).toBe(key);

    const mismatch = await runInPty([process.execPath, serverBin, 'hash-password'], [
      { expect: 'Password:', send: `${typed}\r` },
      { expect: 'Repeat password:', send: 'something else\r' },
    ], { cwd: where.dir, env });
    expect(mismatch.code).toBe(2);
    expect(mismatch.screen).toMatch(/do not match/);
    expect(mismatch.screen).not.toMatch(/scrypt\$/);
  }, 120_000);
});
