import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { createSecureContext, TLSSocket } from 'node:tls';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate } from '@ftpkit/test-servers';
import { FtpConnectionError, FtpLimitError, FtpReplyError, FtpTimeoutError, FtpUnsafePathError, FtpVerifyError } from '../errors.js';
import { loginThen, startScriptedServer, type ScriptedConnection, type ScriptedServer } from '../test-support/scripted-server.js';
import { FtpClient } from './ftp-client.js';
import { mirror } from './mirror.js';
import { downloadSegmented } from './segmented-download.js';

let work = '';
beforeAll(async () => { work = await mkdtemp(join(tmpdir(), 'ftpkit-hostile-')); });
afterAll(async () => { await rm(work, { recursive: true, force: true }); });

const servers: ScriptedServer[] = [];
afterAll(async () => { for (const s of servers) await s.close(); });
async function scripted(script: (c: ScriptedConnection) => Promise<void>, host?: string): Promise<ScriptedServer> {
  const s = await startScriptedServer(script, host);
  servers.push(s);
  return s;
}

const quick = { replyTimeout: 2000, dataTimeout: 2000, connectTimeout: 2000, retryDelay: 10, keepaliveInterval: 0 };

/** Passive data via PASV naming `pasvHost`; sends `body` for RETR/LIST/MLSD. */
function pasvServer(pasvHost: string, body: Buffer): (c: ScriptedConnection) => Promise<void> {
  return (c) => {
    let data: Awaited<ReturnType<ScriptedConnection['listen']>> | undefined;
    return loginThen(c, [], async (cmd) => {
      if (cmd === 'EPSV') c.send('500 EPSV? never heard of it');
      else if (cmd === 'PASV') {
        data = await c.listen();
        c.send(`227 Entering Passive Mode (${pasvHost.replaceAll('.', ',')},${data.port >> 8},${data.port & 255})`);
      } else if (cmd === 'LIST' || cmd === 'RETR') {
        c.send('150 here');
        const s = await data!.accept();
        s.end(body);
        s.on('close', () => c.send('226 done'));
      } else return false;
    });
  };
}

describe('a hostile or broken server', () => {
  it('names another host in PASV: the client uses the control host instead', async () => {
    const listing = Buffer.from('-rw-r--r-- 1 u g 3 Jan 01 2024 a.txt\r\n');
    const s = await scripted(pasvServer('127.0.0.2', listing));
    const c = await FtpClient.connect({ host: s.host, port: s.port, ...quick });
    try {
      const list = await c.list();
      expect(list.map((e) => e.name)).toEqual(['a.txt']);
      expect(c.warnings.join()).toContain('ignored PASV address 127.0.0.2');
    } finally {
      await c.close();
    }
  });

  it('with allowPasvHost the PASV host is trusted (and here unreachable)', async () => {
    const s = await scripted(pasvServer('127.0.0.2', Buffer.from('x')));
    const c = await FtpClient.connect({ host: s.host, port: s.port, allowPasvHost: true, retries: 0, ...quick });
    try {
      await expect(c.list()).rejects.toBeInstanceOf(FtpConnectionError);
    } finally {
      await c.close();
    }
  });

  it('sends an endless multi-line reply: capped by maxReplySize', async () => {
    const s = await scripted(async (c) => {
      c.send('220-welcome');
      for (let i = 0; i < 100_000 && !c.socket.destroyed; i++) c.send(` line ${i} ${'x'.repeat(100)}`);
    });
    const err = await FtpClient.connect({ host: s.host, port: s.port, maxReplySize: 16 * 1024, ...quick }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FtpLimitError);
    expect((err as FtpLimitError).limit).toBe('maxReplySize');
  });

  it('sends endless replies nobody asked for: capped', async () => {
    const s = await scripted(async (c) => {
      for (let i = 0; i < 100_000 && !c.socket.destroyed; i++) c.send('220 hello again');
    });
    const err = await FtpClient.connect({ host: s.host, port: s.port, ...quick }).then(async (c) => {
      // The greeting flood may arrive after login finished: the next command sees the cap.
      try { return await c.pwd(); } finally { await c.close(); }
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FtpLimitError);
  });

  it('sends an endless listing: capped by maxListingSize', async () => {
    const s = await scripted((c) => {
      let data: Awaited<ReturnType<ScriptedConnection['listen']>> | undefined;
      return loginThen(c, [], async (cmd) => {
        if (cmd === 'EPSV') {
          data = await c.listen();
          c.send(`229 ok (|||${data.port}|)`);
        } else if (cmd === 'LIST') {
          c.send('150 here');
          const sock = await data!.accept();
          const line = Buffer.from('-rw-r--r-- 1 u g 3 Jan 01 2024 file\r\n'.repeat(1000));
          const pump = (): void => {
            for (let i = 0; i < 10_000 && !sock.destroyed; i++) if (!sock.write(line)) { sock.once('drain', pump); return; }
          };
          pump();
        } else return false;
      });
    });
    const c = await FtpClient.connect({ host: s.host, port: s.port, maxListingSize: 1024 * 1024, ...quick });
    try {
      const err = await c.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FtpLimitError);
      expect((err as FtpLimitError).limit).toBe('maxListingSize');
    } finally {
      await c.close();
    }
  });

  it('lists ../ and absolute names: mirror refuses them and writes nothing outside', async () => {
    const files = new Map([['good.txt', 'good'], ['../evil.txt', 'evil'], ['/tmp/evil-abs.txt', 'evil'], ['..', ''], ['sub/../../x', 'evil']]);
    const s = await scripted((c) => {
      let data: Awaited<ReturnType<ScriptedConnection['listen']>> | undefined;
      return loginThen(c, ['MLST type*;size*;modify*;', 'UTF8'], async (cmd, arg) => {
        if (cmd === 'EPSV') {
          data = await c.listen();
          c.send(`229 ok (|||${data.port}|)`);
        } else if (cmd === 'MLSD') {
          c.send('150 here');
          const sock = await data!.accept();
          const lines = [...files.keys()].map((n) => `type=${n === '..' ? 'dir' : 'file'};size=4;modify=20240101000000; ${n}`);
          sock.end(lines.join('\r\n') + '\r\n');
          sock.on('close', () => c.send('226 done'));
        } else if (cmd === 'RETR') {
          c.send('150 here');
          const sock = await data!.accept();
          sock.end(files.get(arg.replace(/^\/+/, '')) ?? '');
          sock.on('close', () => c.send('226 done'));
        } else if (cmd === 'OPTS') c.send('200 ok');
        else return false;
      });
    });
    const c = await FtpClient.connect({ host: s.host, port: s.port, ...quick });
    const local = join(work, 'hostile', 'inside');
    try {
      const r = await mirror(c, '/', local);
      expect(await readdir(local)).toEqual(['good.txt']);
      expect(await readFile(join(local, 'good.txt'), 'utf8')).toBe('good');
      expect(r.skipped.map((k) => k.path).sort()).toEqual(['../evil.txt', '/tmp/evil-abs.txt', 'sub/../../x'].sort());
      expect(existsSync(join(work, 'hostile', 'evil.txt'))).toBe(false);
      expect(existsSync('/tmp/evil-abs.txt')).toBe(false);
      await expect(c.removeDir('/', { recursive: true })).rejects.toBeInstanceOf(FtpUnsafePathError);
    } finally {
      await c.close();
    }
  });

  it('drops the connection mid-download: the client reconnects and resumes with REST', async () => {
    const body = randomBytes(3 * 1024 * 1024);
    const rests: number[] = [];
    const s = await scripted((c) => {
      let data: Awaited<ReturnType<ScriptedConnection['listen']>> | undefined;
      let rest = 0;
      return loginThen(c, ['REST STREAM', 'SIZE'], async (cmd, arg) => {
        if (cmd === 'EPSV') {
          data = await c.listen();
          c.send(`229 ok (|||${data.port}|)`);
        } else if (cmd === 'SIZE') c.send(`213 ${body.length}`);
        else if (cmd === 'REST') {
          rest = Number(arg);
          rests.push(rest);
          c.send('350 rest ok');
        } else if (cmd === 'RETR') {
          c.send('150 here');
          const sock: Socket = await data!.accept();
          if (c.index === 0) {
            // Half the file, then both connections die.
            sock.write(body.subarray(0, 1024 * 1024), () => {
              setTimeout(() => { sock.destroy(); c.socket.destroy(); }, 50);
            });
          } else {
            sock.end(body.subarray(rest));
            sock.on('close', () => c.send('226 done'));
          }
        } else return false;
      });
    });
    const c = await FtpClient.connect({ host: s.host, port: s.port, ...quick });
    try {
      const out = join(work, 'dropped.bin');
      const r = await c.download('/big.bin', out);
      expect(r.retries).toBe(1);
      expect(rests.length).toBe(1);
      expect(rests[0]).toBeGreaterThan(0);
      expect((await readFile(out)).equals(body)).toBe(true);
      expect(s.connections).toBe(2);
    } finally {
      await c.close();
    }
  });

  it('drops the connection mid-upload: the client reconnects, asks SIZE and appends the rest', async () => {
    const body = randomBytes(3 * 1024 * 1024);
    const src = join(work, 'up-src.bin');
    await writeFile(src, body);
    let stored = Buffer.alloc(0);
    const verbs: string[] = [];
    const s = await scripted((c) => {
      let data: Awaited<ReturnType<ScriptedConnection['listen']>> | undefined;
      return loginThen(c, ['SIZE'], async (cmd) => {
        verbs.push(cmd);
        if (cmd === 'EPSV') {
          data = await c.listen();
          c.send(`229 ok (|||${data.port}|)`);
        } else if (cmd === 'SIZE') c.send(stored.length ? `213 ${stored.length}` : '550 no file');
        else if (cmd === 'STOR' || cmd === 'APPE') {
          if (cmd === 'STOR') stored = Buffer.alloc(0);
          c.send('150 send it');
          const sock = await data!.accept();
          sock.on('data', (d: Buffer) => {
            stored = Buffer.concat([stored, d]);
            if (c.index === 0 && stored.length >= 1024 * 1024) {
              stored = stored.subarray(0, 1024 * 1024);
              sock.destroy();
              c.socket.destroy();
            }
          });
          sock.on('end', () => c.send('226 stored'));
        } else return false;
      });
    });
    const c = await FtpClient.connect({ host: s.host, port: s.port, ...quick });
    try {
      const r = await c.upload(src, '/up.bin');
      expect(r.retries).toBe(1);
      expect(verbs.filter((v) => v === 'APPE')).toHaveLength(1);
      expect(stored.equals(body)).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('closes an idle connection with 421: the next operation reconnects', async () => {
    const s = await scripted((c) => loginThen(c, [], async (cmd) => {
      if (cmd === 'SYST') {
        c.send('215 UNIX');
        if (c.index === 0) setTimeout(() => { c.send('421 idle timeout'); c.socket.end(); }, 20);
      } else return false;
    }));
    const c = await FtpClient.connect({ host: s.host, port: s.port, ...quick });
    try {
      expect((await c.send('SYST')).code).toBe(215);
      await new Promise((r) => setTimeout(r, 200));
      expect((await c.send('SYST')).code).toBe(215);
      expect(s.connections).toBe(2);
    } finally {
      await c.close();
    }
  });

  it('sends NOOP when idle (keepalive)', async () => {
    let noops = 0;
    const s = await scripted(async (c) => {
      c.send('220 hi');
      for (let i = 0; i < 1000; i++) {
        const line = await c.next();
        if (line === undefined) return;
        const verb = line.split(' ')[0]?.toUpperCase();
        if (verb === 'NOOP') noops++;
        c.send(verb === 'USER' ? '230 in' : verb === 'PWD' ? '257 "/"' : verb === 'QUIT' ? '221 bye' : '200 ok');
      }
    });
    const c = await FtpClient.connect({ host: s.host, port: s.port, ...quick, keepaliveInterval: 150 });
    try {
      // Poll (bounded) rather than sleep a fixed time: timers run late on a busy machine.
      for (let i = 0; i < 50 && noops < 2; i++) await new Promise((r) => setTimeout(r, 100));
      expect(noops).toBeGreaterThanOrEqual(2);
    } finally {
      await c.close();
    }
  });

  it('active mode: a data connection from another address is dropped, the server\'s is used', async () => {
    const s = await scripted((c) => {
      let target: { host: string; port: number } | undefined;
      return loginThen(c, [], async (cmd, arg) => {
        if (cmd === 'EPRT') {
          const [, , host, port] = arg.split('|');
          target = { host: host ?? '', port: Number(port) };
          c.send('200 ok');
        } else if (cmd === 'RETR' && target) {
          c.send('150 here');
          // Someone else on the network connects first (127.0.0.2 is loopback, but not the server's address).
          const thief = netConnect({ ...target, localAddress: '127.0.0.2' });
          thief.on('error', () => undefined);
          await new Promise((r) => thief.once('connect', r));
          thief.write('stolen?');
          await new Promise((r) => thief.once('close', r));
          const real = netConnect(target);
          real.on('error', () => undefined);
          real.end('from the server');
          real.on('close', () => c.send('226 done'));
        } else return false;
      });
    });
    const c = await FtpClient.connect({ host: s.host, port: s.port, mode: 'active', ...quick });
    try {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (d: Buffer) => chunks.push(d));
      await c.download('/x', out);
      expect(Buffer.concat(chunks).toString()).toBe('from the server');
    } finally {
      await c.close();
    }
  });

  it('injects a reply in plaintext right after 234 to AUTH TLS: it is dropped, never read as protected', async () => {
    const made = await makeCertificate(work);
    const secureContext = createSecureContext({ key: await readFile(made.keyFile), cert: made.pem });
    const s = await scripted(async (c) => {
      c.send('220 hi');
      if ((await c.next()) !== 'AUTH TLS') return;
      // A man in the middle (or the server) adds a reply the client would take for USER's answer.
      c.send('234 go ahead\r\n230 injected: logged in without a password\r\n');
      const tls = new TLSSocket(c.socket, { isServer: true, secureContext });
      tls.on('error', () => undefined);
      const answers: Record<string, string> = {
        USER: '331 pass', PASS: '230 in', PBSZ: '200 ok', PROT: '200 ok', FEAT: '211 no features', TYPE: '200 ok',
        PWD: '257 "/protected" is the directory', QUIT: '221 bye',
      };
      for await (const line of createInterface({ input: tls, crlfDelay: Infinity })) {
        const verb = line.split(' ')[0]?.toUpperCase() ?? '';
        tls.write(`${answers[verb] ?? '502 no'}\r\n`);
      }
    });
    const c = await FtpClient.connect({ host: s.host, port: s.port, user: 'bob', password: 'pw', secure: 'explicit', ca: made.pem, ...quick });
    try {
      expect(c.secure).toBe(true);
      expect(await c.pwd()).toBe('/protected');
    } finally {
      await c.close();
    }
  });

  it('accepts TCP but never completes the TLS handshake (ftps://): connect timeout', async () => {
    const s = await scripted(async (c) => { await c.next(); });
    const started = Date.now();
    const err = await FtpClient.connect(`ftps://127.0.0.1:${s.port}/`, { ...quick, connectTimeout: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FtpTimeoutError);
    expect((err as FtpTimeoutError).phase).toBe('connect');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('never answers: reply timeout; stalls the data: data timeout', async () => {
    const silent = await scripted(async (c) => { c.send('220 hi'); await c.next(); /* and nothing more */ await c.next(); });
    const err = await FtpClient.connect({ host: silent.host, port: silent.port, ...quick, replyTimeout: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FtpTimeoutError);
    expect((err as FtpTimeoutError).phase).toBe('reply');

    const stall = await scripted((c) => {
      let data: Awaited<ReturnType<ScriptedConnection['listen']>> | undefined;
      return loginThen(c, [], async (cmd) => {
        if (cmd === 'EPSV') {
          data = await c.listen();
          c.send(`229 ok (|||${data.port}|)`);
        } else if (cmd === 'RETR') {
          c.send('150 here');
          const sock = await data!.accept();
          sock.write('a few bytes and then nothing');
        } else if (cmd === 'ABOR') c.send('226 ok');
        else return false;
      });
    });
    const c = await FtpClient.connect({ host: stall.host, port: stall.port, ...quick, dataTimeout: 300, retries: 0 });
    try {
      const e2 = await c.download('/x', new PassThrough().resume()).catch((e: unknown) => e);
      expect(e2).toBeInstanceOf(FtpTimeoutError);
      expect((e2 as FtpTimeoutError).phase).toBe('data');
    } finally {
      await c.close();
    }
  });

  it('answers 550 and 530: typed FtpReplyError with the code, no password in the message', async () => {
    const s = await scripted(async (c) => {
      c.send('220 hi');
      await c.next();
      c.send('331 pass');
      await c.next();
      c.send('530 Login incorrect');
    });
    const err = await FtpClient.connect(`ftp://bob:s3cret-pw@127.0.0.1:${s.port}/`, quick).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FtpReplyError);
    expect((err as FtpReplyError).replyCode).toBe(530);
    expect((err as Error).message).toContain('530');
    expect((err as Error).message).not.toContain('s3cret');
    expect((err as Error).stack ?? '').not.toContain('s3cret');
  });

  it('a logged client does not show its password', async () => {
    const s = await scripted((c) => loginThen(c, [], async () => false));
    const c = await FtpClient.connect(`ftp://bob:s3cret-pw@127.0.0.1:${s.port}/`, quick);
    try {
      const { inspect } = await import('node:util');
      expect(inspect(c, { depth: 5 })).not.toContain('s3cret');
      expect(JSON.stringify(c.options)).not.toContain('s3cret');
      const twin = await c.clone();
      await twin.close();
    } finally {
      await c.close();
    }
  });

  it('talks over IPv6 (EPSV on ::1)', async () => {
    let s: ScriptedServer;
    try {
      s = await scripted((c) => {
        let data: Awaited<ReturnType<ScriptedConnection['listen']>> | undefined;
        return loginThen(c, [], async (cmd) => {
          if (cmd === 'EPSV') {
            data = await c.listen();
            c.send(`229 ok (|||${data.port}|)`);
          } else if (cmd === 'RETR') {
            c.send('150 here');
            const sock = await data!.accept();
            sock.end('over ipv6');
            sock.on('close', () => c.send('226 done'));
          } else return false;
        });
      }, '::1');
    } catch (err) {
      if (process.env.CI) throw err;
      return; // no IPv6 loopback on this machine
    }
    const c = await FtpClient.connect(`ftp://[::1]:${s.port}/`, quick);
    try {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (d: Buffer) => chunks.push(d));
      await c.download('/x', out);
      expect(Buffer.concat(chunks).toString()).toBe('over ipv6');
    } finally {
      await c.close();
    }
  });

  it('segmented download verified by HASH; a wrong HASH is caught', async () => {
    const body = randomBytes(5 * 1024 * 1024 + 11);
    let lie = false;
    const s = await scripted((c) => {
      let data: Awaited<ReturnType<ScriptedConnection['listen']>> | undefined;
      let rest = 0;
      let active: Socket | undefined;
      return loginThen(c, ['HASH SHA-256*;MD5', 'REST STREAM', 'SIZE'], async (cmd, arg) => {
        // Strict like ftpkit-server: REST counts only right before RETR (RFC 3659 §5.3).
        if (cmd !== 'REST' && cmd !== 'RETR') rest = 0;
        if (cmd === 'EPSV') {
          data = await c.listen();
          c.send(`229 ok (|||${data.port}|)`);
        } else if (cmd === 'SIZE') c.send(`213 ${body.length}`);
        else if (cmd === 'REST') {
          rest = Number(arg);
          c.send('350 ok');
        } else if (cmd === 'HASH') {
          const hex = createHash('sha256').update(lie ? Buffer.from('other') : body).digest('hex');
          c.send(`213 SHA-256 0-${body.length} ${hex} ${arg}`);
        } else if (cmd === 'RETR') {
          c.send('150 here');
          const sock = await data!.accept();
          active = sock;
          sock.end(body.subarray(rest));
          sock.on('close', () => { if (active === sock) { active = undefined; c.send('226 done'); } });
          rest = 0;
        } else if (cmd === 'ABOR') {
          if (active) {
            active.destroy();
            active = undefined;
            c.send('426 aborted');
          }
          c.send('226 abor ok');
        }
        else return false;
      });
    });
    const c = await FtpClient.connect({ host: s.host, port: s.port, ...quick });
    try {
      const out = join(work, 'seg.bin');
      const r = await downloadSegmented(c, '/f', out, { segments: 3 });
      expect(r).toMatchObject({ segments: 3, verifiedWith: 'SHA-256', bytes: body.length });
      expect((await readFile(out)).equals(body)).toBe(true);
      lie = true;
      await expect(downloadSegmented(c, '/f', out, { segments: 2 })).rejects.toBeInstanceOf(FtpVerifyError);
    } finally {
      await c.close();
    }
  });
});
