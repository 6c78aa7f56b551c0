import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFile, PASS, payload, putFile, requireProgram, run, sha256, SIZES, startServer, tempDir, USER, type Harness, type StorageKind } from './harness.js';

const hasLftp = requireProgram('lftp');
const hasWget = requireProgram('wget');

function lftpScript(h: Harness, passive: boolean, commands: string[]): string[] {
  const settings = [
    'set ftp:ssl-allow no',
    `set ftp:passive-mode ${passive ? 'on' : 'off'}`,
    'set ftp:prefer-epsv no',
    'set net:max-retries 1',
    'set net:timeout 20',
    'set cmd:fail-exit yes',
    'set xfer:clobber yes',
  ];
  return ['-u', `${USER},${PASS}`, '-p', String(h.port), '-e', [...settings, ...commands, 'bye'].join('; '), '127.0.0.1'];
}

const ODD = ['with space.txt', 'quote"d.txt', 'ünïcødé ✓.txt'];

for (const kind of ['memory', 'local'] as StorageKind[]) {
  describe.skipIf(!hasLftp)(`lftp against ${kind} storage`, () => {
    let h: Harness;
    let dir: string;
    beforeAll(async () => {
      h = await startServer(kind);
      dir = tempDir();
    });
    afterAll(() => h.close());

    for (const passive of [true, false]) {
      it(`gets and puts 0 B, 1 B, 64 KiB (${passive ? 'passive' : 'active'})`, async () => {
        const cmds: string[] = [];
        const files: Array<[string, Buffer]> = [];
        for (const [, size] of SIZES) {
          const name = `l-${passive}-${size}.bin`;
          const data = payload(size, size + 11);
          files.push([name, data]);
          await putFile(h.storage, `/${name}`, data);
          cmds.push(`get ${name} -o ${join(dir, name)}`, `put ${join(dir, name)} -o up-${name}`);
        }
        const r = await run('lftp', lftpScript(h, passive, cmds));
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        for (const [name, data] of files) {
          expect(sha256(readFileSync(join(dir, name)))).toBe(sha256(data));
          expect(sha256(await getFile(h.storage, `/up-${name}`))).toBe(sha256(data));
        }
      });
    }

    it('lists (LIST parsed by lftp: cls), renames, mkdir/rmdir, odd names', async () => {
      await h.storage.mkdir('/ldir');
      for (const n of ODD) await putFile(h.storage, `/ldir/${n}`, Buffer.from(n));
      const r = await run(
        'lftp',
        lftpScript(h, true, [
          'cd ldir',
          'cls -1',
          'echo ---',
          'cls -l --sort=name',
          'mv "with space.txt" "renamed file.txt"',
          'mkdir "new dir"',
          'rmdir "new dir"',
          'echo ---',
          'cls -1',
          `get "ünïcødé ✓.txt" -o ${join(dir, 'uni.txt')}`,
        ]),
      );
      expect(r.stderr).toBe('');
      const [first, , after] = r.stdout.split('---\n');
      expect((first ?? '').trim().split('\n').sort()).toEqual([...ODD].sort());
      expect((after ?? '').trim().split('\n').sort()).toEqual(['quote"d.txt', 'renamed file.txt', 'ünïcødé ✓.txt'].sort());
      expect(readFileSync(join(dir, 'uni.txt'), 'utf8')).toBe('ünïcødé ✓.txt');
    });

    it('mirrors a tree both ways', async () => {
      const src = join(dir, 'tree');
      mkdirSync(join(src, 'sub dir'), { recursive: true });
      writeFileSync(join(src, 'a.txt'), 'A');
      const b = payload(70_000, 2);
      writeFileSync(join(src, 'sub dir', 'b.bin'), b);
      const back = join(dir, 'back');
      const r = await run('lftp', lftpScript(h, true, [`mirror -R ${src} /tree`, `mirror /tree ${back}`]));
      expect(r.stderr).toBe('');
      expect(readFileSync(join(back, 'a.txt'), 'utf8')).toBe('A');
      expect(sha256(readFileSync(join(back, 'sub dir', 'b.bin')))).toBe(sha256(b));
    });
  });

  describe.skipIf(!hasWget)(`wget against ${kind} storage`, () => {
    let h: Harness;
    let dir: string;
    beforeAll(async () => {
      h = await startServer(kind);
      dir = tempDir();
    });
    afterAll(() => h.close());

    for (const passive of [true, false]) {
      it(`downloads 0 B, 1 B, 64 KiB (${passive ? 'passive' : 'active'})`, async () => {
        for (const [, size] of SIZES) {
          const name = `w-${passive}-${size}.bin`;
          const data = payload(size, size + 3);
          await putFile(h.storage, `/${name}`, data);
          const out = join(dir, name);
          const r = await run('wget', [
            '-q', '-T', '20', '-t', '1', ...(passive ? [] : ['--no-passive-ftp']), '-O', out,
            `ftp://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${h.port}/${name}`,
          ]);
          expect(r.code).toBe(0);
          expect(sha256(readFileSync(out))).toBe(sha256(data));
        }
      });
    }

    it('parses the LIST output recursively (wget -r) with odd names', async () => {
      await h.storage.mkdir('/wdir');
      await h.storage.mkdir('/wdir/inner');
      for (const n of ODD) await putFile(h.storage, `/wdir/${n}`, Buffer.from(n));
      await putFile(h.storage, '/wdir/inner/deep.txt', Buffer.from('deep'));
      const out = join(dir, 'rec');
      const r = await run('wget', [
        '-q', '-r', '-nH', '-T', '20', '-t', '1', '-P', out, '--restrict-file-names=nocontrol',
        `ftp://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${h.port}/wdir/`,
      ]);
      expect(r.code).toBe(0);
      for (const n of ODD) expect(readFileSync(join(out, 'wdir', n), 'utf8')).toBe(n);
      expect(readFileSync(join(out, 'wdir', 'inner', 'deep.txt'), 'utf8')).toBe('deep');
      expect(existsSync(join(out, 'wdir', '.listing'))).toBe(false);
    });

    it('resumes a partial download (wget -c)', async () => {
      const data = payload(200_000, 4);
      await putFile(h.storage, '/wresume.bin', data);
      const out = join(dir, 'wresume.bin');
      writeFileSync(out, data.subarray(0, 50_000));
      const r = await run('wget', ['-q', '-c', '-T', '20', '-t', '1', '-O', out, `ftp://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${h.port}/wresume.bin`]);
      expect(r.code).toBe(0);
      expect(sha256(readFileSync(out))).toBe(sha256(data));
    });
  });
}
