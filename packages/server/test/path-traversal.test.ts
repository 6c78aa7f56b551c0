import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectData } from './faults-support.js';
import { PASS, startServer, USER, type Harness } from './harness.js';
import { pasvPort, RawClient } from './raw-client.js';

// Every command that takes a path, pointed above the root of a live server on local storage,
// where a file, a directory and their parent sit just outside it.
const HOSTILE = ['../outside.txt', '../../outside.txt', '/../outside.txt', '..\\outside.txt', 'sub/../../outside.txt', '/sub/../../../outside.txt', '%2e%2e/outside.txt'];
const SECRET = 'SECRET-OUTSIDE-THE-ROOT';

/** One command over a passive data connection: its replies and what came over the data connection. */
async function dataCommand(c: RawClient, command: string, upload?: Buffer): Promise<{ codes: number[]; data: string }> {
  const socket = await connectData(pasvPort((await c.cmd('PASV')).text).port);
  socket.on('error', () => undefined);
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  const closed = new Promise((r) => socket.once('close', r));
  const first = await c.cmd(command);
  const codes = [first.code];
  if (first.code < 200) {
    if (upload !== undefined) socket.end(upload);
    const final = await c.next();
    if (final !== undefined) codes.push(final.code);
  }
  socket.destroy();
  await closed;
  return { codes, data: Buffer.concat(chunks).toString('latin1') };
}

describe('path traversal through every command that takes a path (live server, local storage)', () => {
  let h: Harness;
  let c: RawClient;
  let outside: string;
  let outsideDir: string;
  let outsideMtime: number;
  const outsideMode = 0o640;

  beforeAll(async () => {
    h = await startServer('local');
    const parent = dirname(h.root as string);
    outside = join(parent, 'outside.txt');
    outsideDir = join(parent, 'outside-dir');
    writeFileSync(outside, SECRET, { mode: outsideMode });
    mkdirSync(outsideDir, { recursive: true });
    outsideMtime = statSync(outside).mtimeMs;
    mkdirSync(join(h.root as string, 'sub'));
    c = await RawClient.connect(h.port);
    await c.login(USER, PASS);
    await c.cmd('TYPE I');
  });
  afterAll(async () => {
    c.close();
    await h.close();
  });

  const untouched = (): void => {
    expect(readFileSync(outside, 'utf8')).toBe(SECRET);
    expect(statSync(outside).mtimeMs).toBe(outsideMtime);
    expect(statSync(outside).mode & 0o777).toBe(outsideMode);
    expect(statSync(outsideDir).isDirectory()).toBe(true);
    expect(readdirSync(dirname(outside)).filter((n) => n.startsWith('evil'))).toEqual([]);
  };

  it.each(HOSTILE)('control commands with %s: SIZE MDTM MLST STAT HASH MFMT SITE CHMOD DELE RNFR RNTO RMD XRMD MKD XMKD CWD XCWD', async (p) => {
    const dirPath = p.replace('outside.txt', 'outside-dir');
    for (const cmd of [`SIZE ${p}`, `MDTM ${p}`, `MLST ${p}`, `HASH ${p}`]) {
      const r = await c.cmd(cmd);
      expect(r.code, cmd).toBeGreaterThanOrEqual(400);
      expect(r.text).not.toContain(String(SECRET.length) + ' ');
    }
    const stat = await c.cmd(`STAT ${p}`);
    expect(stat.text, `STAT ${p}`).not.toMatch(/outside\.txt\s*$|rw-r-----/m);
    for (const cmd of [`MFMT 20000101000000 ${p}`, `SITE CHMOD 777 ${p}`, `DELE ${p}`, `RMD ${dirPath}`, `XRMD ${dirPath}`]) {
      expect((await c.cmd(cmd)).code, cmd).toBeGreaterThanOrEqual(400);
    }
    expect((await c.cmd(`RNFR ${p}`)).code).toBeGreaterThanOrEqual(400);
    // RNTO onto a path above the root: the source is inside, the target must land inside too.
    const inside = `inside-${HOSTILE.indexOf(p)}.txt`;
    writeFileSync(join(h.root as string, inside), 'in');
    expect((await c.cmd(`RNFR ${inside}`)).code).toBe(350);
    await c.cmd(`RNTO ${p.replace('outside.txt', `evil-${HOSTILE.indexOf(p)}.txt`)}`);
    for (const cmd of [`MKD ${p.replace('outside.txt', 'evil-dir')}`, `XMKD ${p.replace('outside.txt', 'evil-xdir')}`]) await c.cmd(cmd);
    for (const cmd of [`CWD ${dirPath}`, `XCWD ${dirPath}`, `CWD ${p.replace('outside.txt', '')}`]) {
      await c.cmd(cmd);
      expect((await c.cmd('PWD')).text).toMatch(/^"\/[^"]*"/);
      expect((await c.cmd('PWD')).text).not.toContain('..');
      await c.cmd('CWD /');
    }
    untouched();
  });

  it.each(HOSTILE)('data commands with %s: RETR LIST NLST MLSD STOR APPE STOU', async (p) => {
    const retr = await dataCommand(c, `RETR ${p}`);
    expect(retr.data).not.toContain(SECRET);
    for (const verb of ['LIST', 'NLST', 'MLSD']) {
      const listing = await dataCommand(c, `${verb} ${p.replace('outside.txt', '')}`);
      expect(listing.data, `${verb} ${p}`).not.toMatch(/outside\.txt|outside-dir/);
    }
    for (const verb of ['STOR', 'APPE']) {
      await dataCommand(c, `${verb} ${p.replace('outside.txt', 'evil-upload.txt')}`, Buffer.from('EVIL'));
      await dataCommand(c, `${verb} ${p}`, Buffer.from('EVIL'));
    }
    await dataCommand(c, `STOU ${p.replace('outside.txt', 'evil-stou')}`, Buffer.from('EVIL'));
    // What was written landed inside the root (clamped at /): remove it for the next input's listings.
    rmSync(join(h.root as string, 'outside.txt'), { force: true });
    untouched();
  });
});
