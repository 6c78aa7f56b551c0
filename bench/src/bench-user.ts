import { readFile } from 'node:fs/promises';
import { exec } from '@ftpkit/test-servers';
import { sleep } from './process-utils.js';

/** The one account every server is started with (a local account, so vsftpd can log it in). */
export const BENCH_USER = 'ftpkitbench';
/** Its password (bench-only account on the bench machine). */
export const BENCH_PASSWORD = 'ftpkit-Bench-pw1';

async function hashIsCurrent(): Promise<boolean> {
  const line = (await readFile('/etc/shadow', 'utf8')).split('\n').find((l) => l.startsWith(`${BENCH_USER}:`));
  const hash = line?.split(':')[1] ?? '';
  const m = /^\$6\$([^$]+)\$/.exec(hash);
  if (!m?.[1]) return false;
  return (await exec('openssl', ['passwd', '-6', '-salt', m[1], BENCH_PASSWORD])).stdout.trim() === hash;
}

/**
 * Creates the account when missing and gives it a SHA-512 crypt hash of the password: Debian's
 * default (yescrypt) costs ~0.5 s of CPU per login here, which would dominate vsftpd's session
 * times, and pure-ftpd gets the same kind of hash. A separate account from the tests' one, so a
 * test run that resets that password cannot change the hash mid-benchmark. Safe to call from
 * concurrent processes (bounded retries around the shadow-file lock).
 */
export async function ensureBenchUser(): Promise<{ uid: number; gid: number }> {
  for (let attempt = 0; ; attempt++) {
    try {
      try {
        await exec('id', ['-u', BENCH_USER]);
      } catch {
        await exec('useradd', ['-m', '-d', `/home/${BENCH_USER}`, '-s', '/bin/bash', BENCH_USER]);
      }
      if (!(await hashIsCurrent())) {
        await new Promise<void>((resolve, reject) => {
          const child = exec('chpasswd', ['-c', 'SHA512']);
          child.child.stdin?.end(`${BENCH_USER}:${BENCH_PASSWORD}\n`);
          child.then(() => resolve(), reject);
        });
      }
      const uid = Number((await exec('id', ['-u', BENCH_USER])).stdout.trim());
      const gid = Number((await exec('id', ['-g', BENCH_USER])).stdout.trim());
      return { uid, gid };
    } catch (err) {
      if (attempt >= 5) throw err;
      await sleep(200 * (attempt + 1));
    }
  }
}
