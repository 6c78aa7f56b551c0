import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFile, payload, putFile, PY_LOGIN, python, requireProgram, sha256, SIZES, startServer, type Harness, type StorageKind } from './harness.js';

const hasPython = requireProgram('/usr/bin/python3');

for (const kind of ['memory', 'local'] as StorageKind[]) {
  describe.skipIf(!hasPython)(`ftplib against ${kind} storage`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startServer(kind);
    });
    afterAll(() => h.close());

    for (const pasv of [true, false]) {
      it(`round-trips 0 B, 1 B and 64 KiB (${pasv ? 'passive' : 'active'}), checked by sha256`, async () => {
        const sizes = SIZES.map(([, n]) => n);
        const r = await python(
          `${PY_LOGIN}
ftp.set_pasv(${pasv ? 'True' : 'False'})
for n in [${sizes.join(',')}]:
    data = (bytes(range(256)) * (n // 256 + 1))[:n]
    ftp.storbinary('STOR py-%d.bin' % n, io.BytesIO(data))
    assert ftp.size('py-%d.bin' % n) == n, 'size'
    buf = io.BytesIO()
    ftp.retrbinary('RETR py-%d.bin' % n, buf.write)
    assert hashlib.sha256(buf.getvalue()).hexdigest() == hashlib.sha256(data).hexdigest(), 'sha %d' % n
    print('ok', n)
ftp.quit()
`,
          h.port,
        );
        expect(r.stderr).toBe('');
        expect(r.stdout.trim().split('\n')).toEqual(sizes.map((n) => `ok ${n}`));
        const expected = (bytesLen: number): Buffer => {
          const base = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
          return Buffer.concat(Array(Math.ceil(bytesLen / 256) + 1).fill(base)).subarray(0, bytesLen);
        };
        for (const n of sizes) expect(sha256(await getFile(h.storage, `/py-${n}.bin`))).toBe(sha256(expected(n)));
      });
    }

    it('resumes a broken upload with REST+STOR and with APPE', async () => {
      const data = payload(200_000, 9);
      await putFile(h.storage, '/partial-rest.bin', data.subarray(0, 70_000));
      await putFile(h.storage, '/partial-appe.bin', data.subarray(0, 90_001));
      const r = await python(
        `${PY_LOGIN}
data = open(os.environ['SRC'], 'rb').read()
ftp.voidcmd('TYPE I')
have = ftp.size('partial-rest.bin')
ftp.storbinary('STOR partial-rest.bin', io.BytesIO(data[have:]), rest=have)
have = ftp.size('partial-appe.bin')
ftp.storbinary('APPE partial-appe.bin', io.BytesIO(data[have:]))
ftp.quit()
print('done')
`,
        h.port,
        60_000,
        { SRC: await writeTemp(data) },
      );
      expect(r.stderr).toBe('');
      expect(sha256(await getFile(h.storage, '/partial-rest.bin'))).toBe(sha256(data));
      expect(sha256(await getFile(h.storage, '/partial-appe.bin'))).toBe(sha256(data));
    });

    it('REST+STOR into the middle keeps the tail (no truncation)', async () => {
      await putFile(h.storage, '/mid.txt', Buffer.from('0123456789'));
      const r = await python(
        `${PY_LOGIN}
ftp.storbinary('STOR mid.txt', io.BytesIO(b'ab'), rest=3)
ftp.quit()
`,
        h.port,
      );
      expect(r.stderr).toBe('');
      expect((await getFile(h.storage, '/mid.txt')).toString()).toBe('012ab56789');
    });

    it('ABOR mid-transfer: 426 then 226, and the session goes on', async () => {
      await putFile(h.storage, '/abort.bin', payload(32 * 1024 * 1024, 5));
      await putFile(h.storage, '/one.bin', Buffer.from('1'));
      const r = await python(
        `${PY_LOGIN}
ftp.voidcmd('TYPE I')
conn = ftp.transfercmd('RETR abort.bin')
got = conn.recv(65536)
assert len(got) > 0
resp = ftp.abort()
print('abort', resp[:3])
conn.close()
if resp.startswith('426'):
    # RFC 959 §4.1.3: 426 for the aborted transfer, then 226 for the ABOR itself.
    print('then', ftp.getresp()[:3])
print('noop', ftp.voidcmd('NOOP')[:3])
buf = io.BytesIO()
ftp.retrbinary('RETR one.bin', buf.write)
print('after', len(buf.getvalue()))
ftp.quit()
`,
        h.port,
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('abort 426');
      expect(r.stdout).toContain('then 226');
      expect(r.stdout).toContain('noop 200');
      expect(r.stdout).toContain('after 1');
    });

    it('rename, mkdir, rmdir, delete, cwd, pwd with odd names', async () => {
      const r = await python(
        `${PY_LOGIN}
name = 'dir with "quotes" and ünï ✓'
print(ftp.mkd(name))
ftp.cwd(name)
print(ftp.pwd())
ftp.storbinary('STOR a b.txt', io.BytesIO(b'x'))
ftp.rename('a b.txt', "c 'd'.txt")
print(sorted(ftp.nlst()))
print(sorted((n, f['type']) for n, f in ftp.mlsd()))
ftp.delete("c 'd'.txt")
ftp.cwd('..')
ftp.rmd(name)
print(name in ftp.nlst())
try:
    ftp.rmd('no-such-dir')
except ftplib.error_perm as e:
    print('rmd', str(e)[:3])
ftp.quit()
`,
        h.port,
      );
      expect(r.stderr).toBe('');
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toBe('/dir with "quotes" and ünï ✓');
      expect(lines[1]).toBe('/dir with "quotes" and ünï ✓');
      expect(lines[2]).toBe(`["c 'd'.txt"]`);
      expect(lines[3]).toBe(`[("c 'd'.txt", 'file')]`);
      expect(lines[4]).toBe('False');
      expect(lines[5]).toBe('rmd 550');
    });

    it('TYPE A converts line endings both ways (storlines/retrlines), TYPE I does not', async () => {
      await putFile(h.storage, '/unix.txt', Buffer.from('one\ntwo\n'));
      const r = await python(
        `${PY_LOGIN}
lines = []
ftp.retrlines('RETR unix.txt', lines.append)
print(lines)
ftp.storlines('STOR crlf.txt', io.BytesIO(b'a\\nb\\n'))
raw = io.BytesIO()
ftp.retrbinary('RETR unix.txt', raw.write)
print(repr(raw.getvalue()))
ftp.voidcmd('TYPE A')
conn = ftp.transfercmd('RETR unix.txt')
data = b''
while True:
    b = conn.recv(100)
    if not b:
        break
    data += b
conn.close()
ftp.voidresp()
print(repr(data))
ftp.quit()
`,
        h.port,
      );
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().split('\n')).toEqual(["['one', 'two']", "b'one\\ntwo\\n'", "b'one\\r\\ntwo\\r\\n'"]);
      // ftplib sent "a\r\nb\r\n" in TYPE A: stored with local line ends.
      expect((await getFile(h.storage, '/crlf.txt')).toString()).toBe('a\nb\n');
    });

    it('keeps clients inside the root (path traversal)', async () => {
      const r = await python(
        `${PY_LOGIN}
for p in ['../../../../etc/passwd', '/../../etc/passwd', '..\\\\..\\\\etc\\\\passwd', '%2e%2e/%2e%2e/etc/passwd']:
    try:
        ftp.retrbinary('RETR ' + p, lambda b: print('LEAK', len(b)))
        print('retr-ok', p)
    except ftplib.error_perm as e:
        print('retr', str(e)[:3])
ftp.cwd('../../..')
print('pwd', ftp.pwd())
print('list', [n for n in ftp.nlst('../../..') if n in ('etc', 'proc', 'usr')])
ftp.quit()
`,
        h.port,
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).not.toContain('LEAK');
      expect(r.stdout).not.toContain('retr-ok');
      expect(r.stdout).toContain('pwd /');
      expect(r.stdout).toContain('list []');
    });

    it('refuses PORT/EPRT to a foreign address or a privileged port (anti-bounce)', async () => {
      const r = await python(
        `${PY_LOGIN}
for cmd in ['PORT 127,0,0,2,200,10', 'PORT 8,8,8,8,0,80', 'PORT 127,0,0,1,0,25', 'EPRT |1|10.1.2.3|5000|']:
    try:
        print(cmd, ftp.sendcmd(cmd)[:3])
    except ftplib.all_errors as e:
        print(cmd, str(e)[:3])
ftp.quit()
`,
        h.port,
      );
      expect(r.stderr).toBe('');
      for (const line of r.stdout.trim().split('\n')) expect(line).toMatch(/ [45]\d\d$/);
    });

    it('drops a passive data connection from another address; the real client still transfers', async () => {
      await putFile(h.storage, '/hijack.bin', Buffer.from('the real data'));
      const r = await python(
        `${PY_LOGIN}
import socket, time
ftp.voidcmd('TYPE I')
host, port = ftplib.parse227(ftp.sendcmd('PASV'))
thief = socket.create_connection(('127.0.0.1', port), timeout=5, source_address=('127.0.0.2', 0))
thief.settimeout(5)
try:
    stolen = thief.recv(100)
except ConnectionResetError:
    stolen = b''
print('stolen', repr(stolen))
thief.close()
real = socket.create_connection(('127.0.0.1', port), timeout=5)
ftp.sendcmd('RETR hijack.bin')
data = b''
while True:
    b = real.recv(65536)
    if not b:
        break
    data += b
real.close()
print('resp', ftp.voidresp()[:3])
print('data', data.decode())
ftp.quit()
`,
        h.port,
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain("stolen b''");
      expect(r.stdout).toContain('resp 226');
      expect(r.stdout).toContain('data the real data');
    });

    it('read-only users cannot change anything', async () => {
      const r = await python(
        `
import ftplib, io, os
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(os.environ['FTP_PORT']), timeout=30)
ftp.login('reader', 'r')
for f in [lambda: ftp.storbinary('STOR ro.txt', io.BytesIO(b'x')), lambda: ftp.mkd('ro'), lambda: ftp.delete('py-1.bin')]:
    try:
        f()
        print('allowed')
    except ftplib.error_perm as e:
        print('refused', str(e)[:3])
ftp.quit()
`,
        h.port,
      );
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().split('\n')).toEqual(['refused 550', 'refused 550', 'refused 550']);
    });
  });
}

async function writeTemp(data: Buffer): Promise<string> {
  const { tempDir } = await import('./harness.js');
  const file = join(tempDir(), 'src.bin');
  writeFileSync(file, data);
  return file;
}
