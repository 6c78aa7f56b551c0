import { exec } from '@ftpkit/test-servers';

/** The one account every server is started with (a local account, so vsftpd can log it in). */
export const BENCH_USER = 'ftpkitbench';
/** Its password (bench-only account on the bench machine). */
export const BENCH_PASSWORD = 'ftpkit-Bench-pw1';

/**
 * Creates the account when missing and sets its password as a SHA-512 crypt hash: Debian's default
 * (yescrypt) costs ~0.5 s of CPU per login here, which would dominate vsftpd's session times, and
 * pure-ftpd gets the same kind of hash. A separate account from the tests' one, so a test run that
 * resets its password cannot change the hash mid-benchmark.
 */
export async function ensureBenchUser(): Promise<{ uid: number; gid: number }> {
  try {
    await exec('id', ['-u', BENCH_USER]);
  } catch {
    await exec('useradd', ['-m', '-d', `/home/${BENCH_USER}`, '-s', '/bin/bash', BENCH_USER]);
  }
  await new Promise<void>((resolve, reject) => {
    const child = exec('chpasswd', ['-c', 'SHA512']);
    child.child.stdin?.end(`${BENCH_USER}:${BENCH_PASSWORD}\n`);
    child.then(() => resolve(), reject);
  });
  const uid = Number((await exec('id', ['-u', BENCH_USER])).stdout.trim());
  const gid = Number((await exec('id', ['-g', BENCH_USER])).stdout.trim());
  return { uid, gid };
}
