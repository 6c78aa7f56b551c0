import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIG, getFile, payload, putFile, requireProgram, run, sha256, SIZES, startServer, tempDir, type Harness, type StorageKind } from './harness.js';

const hasCurl = requireProgram('curl');
const CURL = ['-sS', '--fail', '--max-time', '60', '--ftp-skip-pasv-ip'];

for (const kind of ['memory', 'local'] as StorageKind[]) {
  describe.skipIf(!hasCurl)(`curl against ${kind} storage`, () => {
    let h: Harness;
    let dir: string;
    beforeAll(async () => {
      h = await startServer(kind);
      dir = tempDir();
    });
    afterAll(() => h.close());

    for (const [label, size] of SIZES) {
      for (const mode of ['passive', 'active'] as const) {
        const modeArgs = mode === 'active' ? ['-P', '127.0.0.1'] : [];
        it(`downloads and uploads ${label} (${mode})`, async () => {
          const data = payload(size, size);
          const name = `c-${mode}-${size}.bin`;
          await putFile(h.storage, `/${name}`, data);
          const out = join(dir, `${name}.out`);
          const down = await run('curl', [...CURL, ...modeArgs, '-o', out, `${h.url}/${name}`]);
          expect(down.stderr).toBe('');
          expect(sha256(readFileSync(out))).toBe(sha256(data));

          const up = await run('curl', [...CURL, ...modeArgs, '-T', out, `${h.url}/up-${name}`]);
          expect(up.stderr).toBe('');
          expect(sha256(await getFile(h.storage, `/up-${name}`))).toBe(sha256(data));
        });
      }
    }

    it('forces PASV (no EPSV) and EPRT-less PORT', async () => {
      const data = payload(1000);
      await putFile(h.storage, '/pasv.bin', data);
      const out = join(dir, 'pasv.out');
      const r1 = await run('curl', [...CURL, '--disable-epsv', '-o', out, `${h.url}/pasv.bin`]);
      expect(r1.stderr).toBe('');
      expect(sha256(readFileSync(out))).toBe(sha256(data));
      const r2 = await run('curl', [...CURL, '--disable-eprt', '-P', '127.0.0.1', '-o', out, `${h.url}/pasv.bin`]);
      expect(r2.stderr).toBe('');
      expect(sha256(readFileSync(out))).toBe(sha256(data));
    });

    it('resumes a broken download with -C -', async () => {
      const data = payload(300_000, 7);
      await putFile(h.storage, '/resume.bin', data);
      const out = join(dir, 'resume.out');
      writeFileSync(out, data.subarray(0, 123_457));
      const r = await run('curl', [...CURL, '-C', '-', '-o', out, `${h.url}/resume.bin`]);
      expect(r.stderr).toBe('');
      expect(sha256(readFileSync(out))).toBe(sha256(data));
    });

    it('appends an upload with --append', async () => {
      await putFile(h.storage, '/app.txt', Buffer.from('abc'));
      const src = join(dir, 'app.src');
      writeFileSync(src, 'def');
      const r = await run('curl', [...CURL, '--append', '-T', src, `${h.url}/app.txt`]);
      expect(r.stderr).toBe('');
      expect((await getFile(h.storage, '/app.txt')).toString()).toBe('abcdef');
    });

    it('lists a directory (LIST and NLST) with odd names', async () => {
      await h.storage.mkdir('/lst');
      const names = ['plain.txt', 'with space.txt', 'quote"d.txt', "apo'strophe.txt", 'ünïcødé ✓.txt'];
      for (const n of names) await putFile(h.storage, `/lst/${n}`, Buffer.from(n));
      const list = await run('curl', [...CURL, `${h.url}/lst/`]);
      expect(list.stderr).toBe('');
      for (const n of names) expect(list.stdout).toContain(n);
      expect(list.stdout).toMatch(/^-[rwx-]{9}\s/m);
      const nlst = await run('curl', [...CURL, '-l', `${h.url}/lst/`]);
      expect(nlst.stdout.split(/\r?\n/).filter(Boolean).sort()).toEqual([...names].sort());
      // And download one of them by its URL-encoded name.
      const got = await run('curl', [...CURL, `${h.url}/lst/${encodeURIComponent('ünïcødé ✓.txt')}`]);
      expect(got.stdout).toBe('ünïcødé ✓.txt');
      const quoted = await run('curl', [...CURL, `${h.url}/lst/${encodeURIComponent('quote"d.txt')}`]);
      expect(quoted.stdout).toBe('quote"d.txt');
    });

    it('creates directories on upload, renames and removes with -Q', async () => {
      const src = join(dir, 'mk.src');
      writeFileSync(src, 'x');
      const r = await run('curl', [...CURL, '--ftp-create-dirs', '-T', src, `${h.url}/deep/er/file.txt`]);
      expect(r.stderr).toBe('');
      expect((await h.storage.stat('/deep/er/file.txt')).size).toBe(1);
      const q = await run('curl', [
        ...CURL, '-Q', 'RNFR /deep/er/file.txt', '-Q', 'RNTO /deep/er/renamed.txt', '-Q', 'DELE /deep/er/renamed.txt',
        '-Q', 'RMD /deep/er', '-Q', 'MKD /made', `${h.url}/`,
      ]);
      expect(q.stderr).toBe('');
      await expect(h.storage.stat('/deep/er')).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await h.storage.stat('/made')).type).toBe('dir');
    });

    it('refuses path traversal', async () => {
      const r = await run('curl', [...CURL, `${h.url}/..%2F..%2F..%2Fetc%2Fpasswd`]);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      const r2 = await run('curl', [...CURL, `${h.url}/%2E%2E/%2E%2E/etc/passwd`]);
      expect(r2.code).not.toBe(0);
    });

    it('refuses a bad login', async () => {
      const r = await run('curl', [...CURL, `ftp://alice:wrong@127.0.0.1:${h.port}/`]);
      expect(r.code).toBe(67);
    });

    if (kind === 'local') {
      it(`moves ${BIG >> 20} MiB both ways (passive down, active up)`, async () => {
        const data = payload(BIG, 3);
        await putFile(h.storage, '/big.bin', data);
        const out = join(dir, 'big.out');
        const down = await run('curl', [...CURL, '-o', out, `${h.url}/big.bin`]);
        expect(down.stderr).toBe('');
        expect(sha256(readFileSync(out))).toBe(sha256(data));
        const up = await run('curl', [...CURL, '-P', '127.0.0.1', '-T', out, `${h.url}/big-up.bin`]);
        expect(up.stderr).toBe('');
        expect(sha256(await getFile(h.storage, '/big-up.bin'))).toBe(sha256(data));
      });
    }
  });
}
