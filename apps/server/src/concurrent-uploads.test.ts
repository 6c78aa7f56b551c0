import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { curl, programReady, sha256File, startProgram, type ProgramProcess } from './test-support/s3-program.js';

// Issue 15.3 through the built program with curl: a slow upload, a second upload of the same name
// and a download of it while both run. Every curl that succeeded (226) must stand for one complete
// file, checked by sha256.

const ready = programReady();
let program: ProgramProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  await program?.stop();
  program = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

describe.runIf(ready)('ftpkit-server: one file, several sessions (curl)', () => {
  for (const mode of ['resumable', 'atomic'] as const) {
    it(`${mode}: a slow STOR, a second STOR and a RETR of one name: each 226 is one whole file`, { timeout: 90_000 }, async () => {
      dir = mkdtempSync(join(tmpdir(), 'ftpkit-concurrent-'));
      const root = join(dir, 'root');
      mkdirSync(root);
      const files = { old: join(root, 'f.bin'), first: join(dir, 'first.bin'), second: join(dir, 'second.bin') };
      const env = { ...process.env, FTPKIT_LOG_FORMAT: 'json', FTPKIT_LOG_LEVEL: 'warn' };
      program = await startProgram(['--root', root, '--user', 'u:p', '--upload-mode', mode], env);
      writeFileSync(files.old, randomBytes(2 * MiB));
      writeFileSync(files.first, randomBytes(6 * MiB));
      writeFileSync(files.second, randomBytes(1 * MiB));
      const complete = new Map<string, string>();
      for (const [name, path] of Object.entries(files)) complete.set(await sha256File(path), name);
      const url = `ftp://u:p@127.0.0.1:${program.port}/f.bin`;

      // About 3 s at 2 MB/s; the others start while it runs.
      const first = curl(['--limit-rate', '2M', '-T', files.first, url]);
      // Late enough that the first has written well past the second's 1 MiB (curl ramps up).
      await sleep(1000);
      const second = curl(['-T', files.second, url]);
      await sleep(300);
      const download = join(dir, 'download.bin');
      const read = curl(['-o', download, url]);
      const codes = { first: (await first).code, second: (await second).code, read: (await read).code };

      // The file holds one complete upload, and that upload was answered 226.
      const stored = complete.get(await sha256File(files.old));
      expect(stored ?? 'a mix', `f.bin is no complete upload (curl exits ${JSON.stringify(codes)})`).toMatch(/^(first|second)$/);
      expect(codes[stored as 'first' | 'second']).toBe(0);
      // The download, if curl took it as complete, is one whole version of the file.
      if (codes.read === 0) expect(complete.get(await sha256File(download)) ?? 'a mix').toMatch(/^(old|first|second)$/);
      // With the default wait (10 s) no upload is refused: the second runs after the first.
      expect({ first: codes.first, second: codes.second }).toEqual({ first: 0, second: 0 });
      expect(stored).toBe('second');
      if (mode === 'atomic') {
        // The old file stays whole until the rename: the download takes it at once.
        expect(codes.read).toBe(0);
        expect(complete.get(await sha256File(download))).toBe('old');
      } else {
        // A file rewritten in place is busy: 450, and curl fails (RETR response 450: exit 19).
        expect(codes.read).not.toBe(0);
      }
    });
  }
});
