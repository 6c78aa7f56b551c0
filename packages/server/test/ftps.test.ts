import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyDecoder } from '@ftpkit/codec';
import { getFile, makeCert, PASS, payload, putFile, python, requireProgram, run, sha256, startServer, tempDir, USER, type Harness } from './harness.js';
import { RawClient } from './raw-client.js';

const hasOpenssl = requireProgram('openssl', ['version']);
const hasCurl = requireProgram('curl');
const hasLftp = requireProgram('lftp');
const hasPython = requireProgram('/usr/bin/python3');

describe.skipIf(!hasOpenssl)('FTPS (RFC 4217)', () => {
  let h: Harness;
  let implicitPort: number;
  let dir: string;
  const big = payload(3 * 1024 * 1024, 12);
  beforeAll(async () => {
    const pair = makeCert();
    h = await startServer('memory', { tls: { context: () => pair, sessionReuse: 'require' } });
    implicitPort = (await h.server.listenImplicitTls(0, '127.0.0.1')).port;
    dir = tempDir();
    await putFile(h.storage, '/secret.bin', big);
  });
  afterAll(() => h.close());

  // curl 7.87-7.88 (Debian 12) cannot do active-mode FTPS at all (curl/curl#10666, fixed in 8.0);
  // active FTPS is proven with lftp and ftplib below, and with curl where it is new enough.
  const curlMajor = hasCurl ? Number(/curl (\d+)/.exec(execFileSync('curl', ['--version'], { encoding: 'utf8' }))?.[1] ?? 0) : 0;
  for (const mode of curlMajor >= 8 ? (['passive', 'active'] as const) : (['passive'] as const)) {
    it.skipIf(!hasCurl)(`curl --ssl-reqd: explicit AUTH TLS, PROT P, session reuse required (${mode})`, async () => {
      const modeArgs = mode === 'active' ? ['-P', '127.0.0.1'] : [];
      const out = join(dir, `curl-${mode}.bin`);
      const down = await run('curl', ['-sS', '--fail', '--max-time', '60', '--ssl-reqd', '-k', ...modeArgs, '-o', out, `${h.url}/secret.bin`]);
      expect(down.stderr).toBe('');
      expect(sha256(readFileSync(out))).toBe(sha256(big));
      const up = await run('curl', ['-sS', '--fail', '--max-time', '60', '--ssl-reqd', '-k', ...modeArgs, '-T', out, `${h.url}/curl-up-${mode}.bin`]);
      expect(up.stderr).toBe('');
      expect(sha256(await getFile(h.storage, `/curl-up-${mode}.bin`))).toBe(sha256(big));
      const list = await run('curl', ['-sS', '--fail', '--max-time', '60', '--ssl-reqd', '-k', ...modeArgs, `${h.url}/`]);
      expect(list.stdout).toContain('secret.bin');
    });
  }

  it.skipIf(!hasCurl)('session reuse also works under TLS 1.2 (curl --tls-max 1.2), two transfers on one connection', async () => {
    const out = join(dir, 'tls12.bin');
    const r = await run('curl', [
      '-sS', '--fail', '--max-time', '60', '--ssl-reqd', '-k', '--tls-max', '1.2',
      '-o', out, `${h.url}/secret.bin`, '-o', join(dir, 'tls12b.bin'), `${h.url}/secret.bin`,
    ]);
    expect(r.code).toBe(0);
    expect(sha256(readFileSync(out))).toBe(sha256(big));
    expect(sha256(readFileSync(join(dir, 'tls12b.bin')))).toBe(sha256(big));
  });

  it.skipIf(!hasCurl)('curl ftps:// (implicit TLS)', async () => {
    const r = await run('curl', ['-sS', '--fail', '--max-time', '60', '-k', '-o', join(dir, 'implicit.bin'), `ftps://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${implicitPort}/secret.bin`]);
    expect(r.stderr).toBe('');
    expect(sha256(readFileSync(join(dir, 'implicit.bin')))).toBe(sha256(big));
  });

  for (const passive of [true, false]) {
    it.skipIf(!hasLftp)(`lftp ftp:ssl-force with protected data (${passive ? 'passive' : 'active'})`, async () => {
      const out = join(dir, `lftp-${passive}.bin`);
      const r = await run('lftp', [
        '-u', `${USER},${PASS}`, '-p', String(h.port), '-e',
        [
          'set ftp:ssl-force true', 'set ftp:ssl-protect-data true', 'set ssl:verify-certificate no',
          `set ftp:passive-mode ${passive ? 'on' : 'off'}`, 'set net:max-retries 1', 'set net:timeout 20', 'set cmd:fail-exit yes',
          `get secret.bin -o ${out}`, `put ${out} -o lftp-up-${passive}.bin`, 'bye',
        ].join('; '),
        '127.0.0.1',
      ]);
      expect(r.stderr).toBe('');
      expect(sha256(readFileSync(out))).toBe(sha256(big));
      expect(sha256(await getFile(h.storage, `/lftp-up-${passive}.bin`))).toBe(sha256(big));
    });
  }

  it.skipIf(!hasPython)('ftplib FTP_TLS (passive and active): a data connection that does not resume the session is refused under require; one that does works', async () => {
    const r = await python(
      `
import ftplib, os, io, ssl
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
class Reusing(ftplib.FTP_TLS):
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size
for cls, pasv in ((ftplib.FTP_TLS, True), (Reusing, True), (Reusing, False)):
    ftp = cls(context=ctx)
    ftp.connect('127.0.0.1', int(os.environ['FTP_PORT']), timeout=30)
    ftp.login(os.environ['FTP_USER'], os.environ['FTP_PASS'])
    ftp.prot_p()
    ftp.set_pasv(pasv)
    buf = io.BytesIO()
    try:
        ftp.retrbinary('RETR secret.bin', buf.write)
        ftp.storbinary('STOR py-tls.bin', io.BytesIO(b'over tls'))
        print(cls.__name__, 'pasv' if pasv else 'active', 'ok', len(buf.getvalue()))
    except ftplib.all_errors as e:
        print(cls.__name__, 'pasv' if pasv else 'active', 'refused', str(e))
    ftp.quit()
`,
      h.port,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/FTP_TLS pasv refused 425 .*not resumed/);
    expect(r.stdout).toContain(`Reusing pasv ok ${big.length}`);
    expect(r.stdout).toContain(`Reusing active ok ${big.length}`);
    expect((await getFile(h.storage, '/py-tls.bin')).toString()).toBe('over tls');
  });

  it('never runs plaintext pipelined after AUTH TLS', async () => {
    const c = await RawClient.connect(h.port);
    try {
      expect((await c.next())?.code).toBe(220);
      c.socket.write(`AUTH TLS\r\nUSER ${USER}\r\n`);
      expect((await c.next())?.code).toBe(234);
      c.socket.removeAllListeners('data');
      const secure = tlsConnect({ socket: c.socket, rejectUnauthorized: false });
      await new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', () => resolve());
        secure.once('error', reject);
      });
      const decoder = new ReplyDecoder();
      const replies: number[] = [];
      const got = new Promise<void>((resolve) => {
        secure.on('data', (d: Buffer) => {
          for (const r of decoder.push(d)) replies.push(r.code);
          if (replies.length >= 1) resolve();
        });
      });
      // Had USER run in plaintext, PASS would log in (230); it must be a sequence error instead.
      secure.write(`PASS ${PASS}\r\n`);
      await got;
      expect(replies[0]).toBe(503);
      secure.destroy();
    } finally {
      c.close();
    }
  });
});

describe.skipIf(!hasOpenssl)('FTPS required', () => {
  it.skipIf(!hasPython)('refuses a plaintext data connection under PROT P (no bytes leak)', async () => {
    const pair = makeCert();
    const h = await startServer('memory', { tls: { context: pair, handshakeTimeoutMs: 500 } });
    await putFile(h.storage, '/p.txt', Buffer.from('must not leak'));
    try {
      const r = await python(
        `
import ftplib, os, io, ssl
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
class Plain(ftplib.FTP_TLS):
    def ntransfercmd(self, cmd, rest=None):
        return ftplib.FTP.ntransfercmd(self, cmd, rest)
ftp = Plain(context=ctx)
ftp.connect('127.0.0.1', int(os.environ['FTP_PORT']), timeout=30)
ftp.login(os.environ['FTP_USER'], os.environ['FTP_PASS'])
ftp.prot_p()
got = []
try:
    ftp.retrbinary('RETR p.txt', got.append)
    print('transferred', got)
except ftplib.all_errors as e:
    print('refused', str(e)[:3], b''.join(got))
print(ftp.voidcmd('NOOP')[:3])
ftp.quit()
`,
        h.port,
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/refused 42[56]/);
      expect(r.stdout).not.toContain('must not leak');
      expect(r.stdout).toContain('200');
    } finally {
      await h.close();
    }
  });

  it('refuses USER before AUTH TLS when requireTls is set', async () => {
    const pair = makeCert();
    const h = await startServer('memory', { tls: { context: pair, requireTls: true } });
    try {
      const c = await RawClient.connect(h.port);
      expect((await c.next())?.code).toBe(220);
      const r = await c.cmd(`USER ${USER}`);
      expect([530, 534]).toContain(r.code);
      const feat = await c.cmd('FEAT');
      expect(feat.text).toContain('AUTH TLS');
      c.close();
    } finally {
      await h.close();
    }
  });
});
