/**
 * Upload quotas (issue 14 point 3) through the built program, a users file with `quotaBytes` and
 * Python's ftplib: parallel uploads can not pass the quota together, usage is learnt once (no walk
 * per upload), and MKD/RMD/DELE/RNTO are booked.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password-hash.js';
import { programReady, startProgram, type ProgramProcess } from '../src/test-support/s3-program.js';

const CLIENTS = join(import.meta.dirname, 'quota-clients.py');
const PYTHON = '/usr/bin/python3';
const QUOTA = 1_000_000;
const SIZE = 900_000;

function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('FTPKIT_')) out[name] = value;
  return { ...out, FTPKIT_LOG_FORMAT: 'json', FTPKIT_LOG_LEVEL: 'info' };
}

function clients(port: number, args: string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [CLIENTS, args[0] as string, '127.0.0.1', String(port), 'q', 'q-pw', ...args.slice(1)], { timeout: 180_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as number[]);
    });
  });
}

/** Bytes of every file below `dir` (hidden temp files included). */
function stored(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

const running: ProgramProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The program with user `q` (password `q-pw`, root `<root>/q`, `quotaBytes`) and what it serves. */
async function serve(quotaBytes: number, extra: string[] = [], prepare?: (home: string) => void): Promise<{ program: ProgramProcess; home: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'ftpkit-quota-'));
  dirs.push(cwd);
  const root = join(cwd, 'srv');
  const home = join(root, 'q');
  mkdirSync(home, { recursive: true });
  prepare?.(home);
  const users = join(cwd, 'users.yaml');
  writeFileSync(users, `users:\n  - name: q\n    password: "${await hashPassword('q-pw')}"\n    root: q\n    quotaBytes: ${quotaBytes}\n`);
  const program = await startProgram(['--root', root, '--users', users, ...extra], env());
  running.push(program);
  return { program, home };
}

describe('ftpkit-server upload quota (users file quotaBytes)', () => {
  for (const mode of ['resumable', 'atomic'] as const) {
    it(`8 parallel 900 KB uploads under a 1,000,000-byte quota store at most the quota (${mode}); the refused get 552; DELE frees it`, async () => {
      if (!programReady()) return;
      const { program, home } = await serve(QUOTA, ['--upload-mode', mode]);
      const codes = await clients(program.port, ['parallel', '8', String(SIZE)]);
      expect(codes.every((c) => c === 226 || c === 552), `codes ${codes.join(',')}`).toBe(true);
      expect(codes.filter((c) => c === 226).length).toBeLessThanOrEqual(1);
      expect(stored(home)).toBeLessThanOrEqual(QUOTA);
      for (let i = 0; i < 8; i++) {
        const file = join(home, `up-${i}.bin`);
        let size: number | undefined;
        try {
          size = statSync(file).size;
        } catch {
          size = undefined;
        }
        if (codes[i] === 226) expect(size).toBe(SIZE);
        // Atomic discards a refused upload; resumable keeps what was written (and counted).
        else if (mode === 'atomic') expect(size).toBeUndefined();
      }
      // Deleting every file gives all of it back: a refused upload left no booking behind.
      const present = readdirSync(home).filter((n) => n.startsWith('up-'));
      expect(await clients(program.port, ['ops', JSON.stringify([...present.map((n) => ['dele', n]), ['stor', 'again.bin', SIZE]])])).toEqual([...present.map(() => 250), 226]);
      expect(statSync(join(home, 'again.bin')).size).toBe(SIZE);
    });
  }

  it('learns usage once: a STOR in a tree of 2,000 directories does not walk it again (a file put behind its back is not seen)', async () => {
    if (!programReady()) return;
    const { program, home } = await serve(100_000_000, [], (h) => {
      for (let i = 0; i < 2_000; i++) mkdirSync(join(h, 'tree', `d${i % 40}`, `e${i}`), { recursive: true });
    });
    expect(await clients(program.port, ['ops', JSON.stringify([['stor', 'one.bin', 1]])])).toEqual([226]);
    // 200 MB (sparse) behind the server's back: a walk per upload would now refuse every STOR.
    const hidden = join(home, 'tree', 'behind-the-back.bin');
    writeFileSync(hidden, '');
    truncateSync(hidden, 200_000_000);
    const steps = Array.from({ length: 5 }, (_, i) => ['stor', `one-${i}.bin`, 1]);
    expect(await clients(program.port, ['ops', JSON.stringify(steps)])).toEqual([226, 226, 226, 226, 226]);
    expect(await clients(program.port, ['ops', JSON.stringify(steps)])).toEqual([226, 226, 226, 226, 226]);
    const measured = program.stderr().split('\n').filter((l) => l.includes('quota usage measured'));
    expect(measured).toHaveLength(1);
    // 2,000 + 40 + 1 directories of 4096 bytes were counted by that one walk.
    expect(JSON.parse(measured[0] as string)).toMatchObject({ user: 'q', bytes: 2_041 * 4096 });
  });

  it('books MKD (4096 bytes each, 552 past the quota), RMD, DELE and RNTO over a file', async () => {
    if (!programReady()) return;
    const { program, home } = await serve(QUOTA);
    const dirsThatFit = Math.floor((QUOTA - 900_000) / 4096);
    const steps: unknown[] = [
      ['stor', 'a.bin', 600_000],
      ['stor', 'b.bin', 300_000],
      // a.bin (600,000) is replaced by b.bin (300,000): 300,000 booked.
      ['rename', 'b.bin', 'a.bin'],
      ['stor', 'c.bin', 600_000],
      ...Array.from({ length: dirsThatFit }, (_, i) => ['mkd', `d${i}`]),
      ['mkd', 'one-too-many'],
      ['rmd', 'd0'],
      ['mkd', 'one-too-many'],
      ['stor', 'd.bin', 100_000],
      ['dele', 'c.bin'],
      ['stor', 'd.bin', 100_000],
    ];
    const codes = await clients(program.port, ['ops', JSON.stringify(steps)]);
    expect(codes).toEqual([226, 226, 250, 226, ...Array.from({ length: dirsThatFit }, () => 257), 552, 250, 257, 552, 250, 226]);
    expect(readdirSync(home).sort()).toContain('one-too-many');
    expect(stored(home)).toBe(300_000 + 600_000 - 600_000 + 100_000);
  });
});
