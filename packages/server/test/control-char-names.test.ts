import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transferDown } from './faults-support.js';
import { PASS, PY_LOGIN, python, requireProgram, run, startServer, USER, type Harness } from './harness.js';
import { RawClient } from './raw-client.js';

const hasPython = requireProgram('/usr/bin/python3');
const hasCurl = requireProgram('curl');

/** Names an attacker placed on disk by other means (a shell account, an unpacked archive). */
const PLANTED = ['a\r230 fake', 'b\n226 fake', 'esc\u001b[31mred', 'gpj\u202eexe.jpg', 'c1\u009bx', 'del\u007f'];

/** Raw control characters (C0, DEL, C1, bidi overrides) other than the line ends `eol`. */
function rawControls(text: string, eol = /\r\n/g): string[] {
  const bad = text.replace(eol, '').match(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g) ?? [];
  return bad.map((c) => `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Issue 14 point 10: control characters in file names.
describe('names with control characters through a live server on local storage', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer('local');
    const sub = join(h.root as string, 'sub');
    mkdirSync(sub);
    for (const name of PLANTED) writeFileSync(join(sub, name), 'x');
    mkdirSync(join(sub, 'dir\r250 fake'));
    writeFileSync(join(sub, 'plain.txt'), 'ok');
  });
  afterAll(() => h.close());

  it.skipIf(!hasCurl)('curl LIST and NLST (-l) of a directory with such names: no raw control byte, no fake reply line', async () => {
    for (const extra of [[], ['-l']]) {
      const r = await run('curl', ['-sS', '--max-time', '30', ...extra, `${h.url}/sub/`]);
      expect(r.stderr, extra.join(' ')).toBe('');
      // curl turns the ASCII-mode CR LF into LF; the line count shows that no name split a line.
      expect(rawControls(r.stdout, /\r?\n/g), extra.join(' ')).toEqual([]);
      const lines = r.stdout.split(/\r?\n/).filter((l) => l !== '');
      expect(lines).toHaveLength(PLANTED.length + 2);
      expect(lines.some((l) => /^\d{3} fake/.test(l))).toBe(false);
      expect(r.stdout).toContain('a?230 fake');
      expect(r.stdout).toContain('gpj?exe.jpg');
    }
  });

  it('raw MLSD, LIST, NLST data and STAT replies carry no raw control byte; MLSD is 226, not 451', async () => {
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      for (const cmd of ['MLSD sub', 'LIST sub', 'NLST sub']) {
        const { data, replies } = await transferDown(c, cmd);
        expect(replies, cmd).toEqual([226]);
        const text = data.toString('utf8');
        expect(rawControls(text), cmd).toEqual([]);
        expect(text.split('\r\n').filter((l) => l !== ''), cmd).toHaveLength(PLANTED.length + 2);
      }
      const stat = await c.cmd('STAT sub');
      expect(stat.code).toBe(213);
      expect(rawControls(stat.lines.join('\n').replace(/\n/g, ''))).toEqual([]);
      expect(stat.text).toContain('esc?[31mred');
      // The conversation is still in step: no fake reply was injected.
      expect((await c.cmd('NOOP')).code).toBe(200);
    } finally {
      c.close();
    }
  });

  it.skipIf(!hasPython)('ftplib: MLSD of that directory works for everybody and shows the names with ?', async () => {
    const r = await python(`${PY_LOGIN}
for name, facts in sorted(ftp.mlsd('sub')):
    print(repr(name), facts['type'])
ftp.quit()
`, h.port);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain("'a?230 fake' file");
    expect(r.stdout).toContain("'dir?250 fake' dir");
    expect(r.stdout).toContain("'gpj?exe.jpg' file");
    expect(r.stdout).not.toMatch(/\\x1b|\\u202e|\\r|\\n'/);
  });

  it.skipIf(!hasPython)('ftplib: MKD, STOR and RNTO of names with ESC or U+202E are 553 and create nothing', async () => {
    const r = await python(`${PY_LOGIN}
ftp.storbinary('STOR good.txt', io.BytesIO(b'g'))
for what, call in [
    ('mkd-esc', lambda: ftp.mkd('x\\x1b[2Jy')),
    ('mkd-rlo', lambda: ftp.mkd('gpj\\u202eexe.jpg')),
    ('stor-esc', lambda: ftp.storbinary('STOR s\\x1bt', io.BytesIO(b'x'))),
    ('appe-c1', lambda: ftp.storbinary('APPE s\\x9bt', io.BytesIO(b'x'))),
    ('rnto-rlo', lambda: ftp.rename('good.txt', 'txt.\\u202eexe')),
]:
    try:
        call()
        print(what, 'ACCEPTED')
    except ftplib.error_perm as e:
        print(what, str(e)[:3])
ftp.quit()
`, h.port);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['mkd-esc 553', 'mkd-rlo 553', 'stor-esc 553', 'appe-c1 553', 'rnto-rlo 553']);
    expect(readdirSync(h.root as string).sort()).toEqual(['good.txt', 'sub']);
  });

  it('raw socket: MKD "a<CR>230 fake" (a lone CR inside the line) is 553 and creates nothing', async () => {
    const c = await RawClient.connect(h.port);
    try {
      await c.login(USER, PASS);
      c.socket.write('MKD a\r230 fake\r\n');
      const r = await c.next();
      expect(r?.code).toBe(553);
      expect(existsSync(join(h.root as string, 'a\r230 fake'))).toBe(false);
      expect((await c.cmd('NOOP')).code).toBe(200);
    } finally {
      c.close();
    }
  });
});
