import { mkdir } from 'node:fs/promises';
import { exec } from './support.js';

/** The local system account vsftpd and pure-ftpd map the test login to. */
export const TEST_USER = 'ftpkittest';
/** Its password (test-only account, created on the test machine). */
export const TEST_PASSWORD = 'ftpkit-Test-pw1';

let ensured: Promise<{ uid: number; gid: number }> | undefined;

/**
 * Creates the test account (home /home/ftpkittest, shell /bin/bash so PAM's pam_shells accepts it)
 * when missing and sets its password. Needs root, as the tests run.
 */
export function ensureSystemUser(): Promise<{ uid: number; gid: number }> {
  ensured ??= (async () => {
    const home = `/home/${TEST_USER}`;
    try {
      await exec('id', ['-u', TEST_USER]);
    } catch {
      // Another test process may create it at the same moment: only a still-missing user is an error.
      await exec('useradd', ['-m', '-d', home, '-s', '/bin/bash', TEST_USER]).catch(async (err: unknown) => {
        await exec('id', ['-u', TEST_USER]).catch(() => { throw err; });
      });
    }
    await mkdir(home, { recursive: true });
    await new Promise<void>((resolve, reject) => {
      const child = exec('chpasswd', []);
      child.child.stdin?.end(`${TEST_USER}:${TEST_PASSWORD}\n`);
      child.then(() => resolve(), reject);
    });
    const uid = Number((await exec('id', ['-u', TEST_USER])).stdout.trim());
    const gid = Number((await exec('id', ['-g', TEST_USER])).stdout.trim());
    return { uid, gid };
  })();
  return ensured;
}
