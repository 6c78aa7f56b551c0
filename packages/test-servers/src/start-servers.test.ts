import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { haveVsftpd, havePureFtpd, havePyftpdlib, startPureFtpd, startPyftpdlib, startVsftpd } from './start-servers.js';
import type { TestFtpServer } from './support.js';

const exec = promisify(execFile);
const __filename = fileURLToPath(import.meta.url);
const starters: Array<[string, () => boolean | Promise<boolean>, (o: { tls?: boolean }) => Promise<TestFtpServer>]> = [
  ['vsftpd', haveVsftpd, startVsftpd],
  ['pure-ftpd', havePureFtpd, startPureFtpd],
  ['pyftpdlib', havePyftpdlib, startPyftpdlib],
];

describe.each(starters)('%s', (_name, have, start) => {
  it.each([false, true])('starts (tls=%s), takes an upload from curl and lists it', async (tls) => {
    if (!(await have())) return;
    // curl 7.88 mishandles pyftpdlib's TLS data channel after EPSV; the client tests cover it.
    if (tls && _name === 'pyftpdlib') return;
    const s = await start({ tls });
    try {
      const args = ['-sS', '--max-time', '10', '--user', `${s.user}:${s.password}`];
      if (tls) args.push('--ssl-reqd', '--cacert', s.caFile ?? '');
      await exec('curl', [...args, '-T', __filename, `ftp://${s.host}:${s.port}/hello.txt`]).then(() => undefined, (e: Error) => { throw e; });
      const { stdout } = await exec('curl', [...args, `ftp://${s.host}:${s.port}/`]);
      expect(stdout).toContain('hello.txt');
      expect(await readFile(join(s.root, 'hello.txt'), 'utf8')).toBe(await readFile(__filename, 'utf8'));
    } finally {
      await s.stop();
    }
  });
});
