import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { curl, programEnv, programReady, runProgram, startProgram } from './test-support/s3-program.js';

describe('ftpkit-server: plain passwords kept off the command line', () => {
  it('--user-file serves NAME:PASSWORD lines that never appear in the process arguments; --help says --user shows in ps', { timeout: 120_000 }, async () => {
    if (!programReady()) return;
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-userfile-'));
    const root = join(dir, 'srv');
    mkdirSync(root);
    writeFileSync(join(root, 'f.txt'), 'for alice');
    const file = join(dir, 'users.txt');
    writeFileSync(file, '# plain users\nalice:Very-Secret-1 with space\r\n\nbob:b:colon\n');
    chmodSync(file, 0o600);
    const p = await startProgram(['--root', root, '--user-file', file], programEnv());
    try {
      expect(readFileSync(`/proc/${p.child.pid}/cmdline`, 'utf8')).not.toContain('Very-Secret');
      expect((await curl(['--user', 'alice:Very-Secret-1 with space', `ftp://127.0.0.1:${p.port}/f.txt`])).stdout).toBe('for alice');
      expect((await curl(['--user', 'bob:b:colon', `ftp://127.0.0.1:${p.port}/f.txt`])).stdout).toBe('for alice');
    } finally {
      expect(await p.stop()).toBe(0);
    }
    // FTPKIT_USER is the other way: the environment is not in `ps`.
    const e = await startProgram(['--root', root], programEnv({ FTPKIT_USER: 'carol:Env-Secret-2' }));
    try {
      expect(readFileSync(`/proc/${e.child.pid}/cmdline`, 'utf8')).not.toContain('Env-Secret');
      expect((await curl([`ftp://carol:Env-Secret-2@127.0.0.1:${e.port}/f.txt`])).stdout).toBe('for alice');
    } finally {
      expect(await e.stop()).toBe(0);
    }
    // A malformed line is a one-line error that does not echo the line (it may be a password).
    writeFileSync(file, 'alice:ok\nTopSecretWithoutName\n');
    const bad = await runProgram(['--port', '0', '--root', root, '--user-file', file], programEnv());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`ftpkit-server: --user-file: ${file} line 2 must be NAME:PASSWORD\n`);
    const help = await runProgram(['--help'], programEnv());
    expect(help.stdout).toMatch(/--user <name:password>[\s\S]*shows in `ps`[\s\S]*--user-file <file>/);
  });
});
