import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processUmask } from '@ftpkit/storage-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PY_LOGIN, python, requireProgram, startServer, type Harness } from './harness.js';

const hasPython = requireProgram('/usr/bin/python3');

// Issue 14 point 1: SITE CHMOD must never set setuid/setgid/sticky, nor widen the umask policy.
describe.skipIf(!hasPython)('SITE CHMOD through a live server on local storage, with ftplib', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer('local');
  });
  afterAll(() => h.close());

  it('SITE CHMOD 4755 suidtool and SITE CHMOD 6777 / are refused; nothing on disk gets a setuid, setgid or sticky bit', async () => {
    const root = h.root as string;
    const r = await python(
      `${PY_LOGIN}
ftp.storbinary('STOR suidtool', io.BytesIO(b'#!/bin/sh\\nid\\n'))
for cmd in ['SITE CHMOD 4755 suidtool', 'SITE CHMOD 6777 /', 'SITE CHMOD 2755 suidtool', 'SITE CHMOD 1777 /', 'SITE CHMOD 7777 suidtool']:
    try:
        print(cmd, '->', ftp.sendcmd(cmd))
    except ftplib.error_perm as e:
        print(cmd, '->', e)
print('755 ->', ftp.sendcmd('SITE CHMOD 755 suidtool'))
print('777 ->', ftp.sendcmd('SITE CHMOD 777 /'))
ftp.quit()
`,
      h.port,
    );
    expect(r.stderr).toBe('');
    for (const refused of ['4755 suidtool', '6777 /', '2755 suidtool', '1777 /', '7777 suidtool']) {
      expect(r.stdout).toMatch(new RegExp(`SITE CHMOD ${refused} -> 550 `));
    }
    expect(r.stdout).toMatch(/755 -> 200/);
    expect(r.stdout).toMatch(/777 -> 200/);
    const fileMode = statSync(join(root, 'suidtool')).mode & 0o7777;
    const rootMode = statSync(root).mode & 0o7777;
    expect(fileMode & 0o7000).toBe(0);
    expect(rootMode & 0o7000).toBe(0);
    // And never more open than the admin's umask lets new files be.
    expect(fileMode).toBe(0o755 & ~processUmask());
    expect(rootMode).toBe(0o777 & ~processUmask());
  });

  it('a file placed by the admin keeps its mode until a client changes permission bits (no bits above 0777 set)', async () => {
    const root = h.root as string;
    writeFileSync(join(root, 'admin.sh'), 'x');
    const r = await python(`${PY_LOGIN}
print(ftp.sendcmd('SITE CHMOD 0700 admin.sh'))
ftp.quit()
`, h.port);
    expect(r.stdout.trim()).toMatch(/^200/);
    expect(statSync(join(root, 'admin.sh')).mode & 0o7777).toBe(0o700);
  });
});
