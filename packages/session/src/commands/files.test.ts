import { describe, expect, it } from 'vitest';
import { Transcript, transcript } from '../test-support/transcript.js';

describe('CWD / CDUP / PWD', () => {
  it('changes into directories, relative and absolute, with the X- aliases', () => {
    transcript(`
      @login
      C: CWD docs
      E: storage op=stat path=/docs => dir
      S: 250
      C: XCWD sub dir
      E: storage op=stat path="/docs/sub dir" => dir
      S: 250
      C: XPWD
      S: 257 "/docs/sub dir" is the current directory
      C: CDUP
      S: 250
      C: PWD
      S: 257 "/docs"
      C: XCUP
      S: 250
      C: CDUP
      S: 250
      C: PWD
      S: 257 "/"
    `);
  });

  it('refuses files and missing paths with 550 and stays put', () => {
    transcript(`
      @login
      C: CWD a.txt
      E: storage op=stat path=/a.txt => file 3
      S: 550 Not a directory
      C: CWD nope
      E: storage op=stat path=/nope => ENOENT
      S: 550 No such file or directory
      S! secret
      C: PWD
      S: 257 "/"
    `);
  });

  it('never climbs above /', () => {
    transcript(`
      @login
      C: CWD ../../..\\..\\etc
      E: storage op=stat path=/etc => dir
      S: 250
    `);
  });

  it('quotes a " in PWD and MKD by doubling it (RFC 959 Appendix II)', () => {
    transcript(`
      @login
      C: MKD say "hi"
      E: storage op=mkdir path="/say \\"hi\\"" => ok
      S: 257 "/say ""hi""" created.
      C: CWD say "hi"
      E: storage op=stat => dir
      S: 250
      C: PWD
      S: 257 "/say ""hi""" is the current directory.
    `);
  });

  it('keeps unicode names', () => {
    transcript(`
      @login
      C: MKD 日本語 ü
      E: storage op=mkdir path="/日本語 ü" => ok
      S: 257 "/日本語 ü" created.
    `);
  });
});

describe('MKD / RMD / DELE', () => {
  it('creates, removes and deletes, with errors from the table', () => {
    transcript(`
      @login
      C: MKD d
      E: storage op=mkdir path=/d => ok
      S: 257 "/d" created.
      C: XMKD d
      E: storage op=mkdir path=/d => EEXIST
      S: 550 File exists
      C: RMD d
      E: storage op=rmdir path=/d => ok
      S: 250
      C: XRMD full
      E: storage op=rmdir path=/full => ENOTEMPTY
      S: 550 Directory not empty
      C: DELE f
      E: storage op=delete path=/f => ok
      S: 250 File deleted
      C: DELE g
      E: storage op=delete path=/g => EACCES
      S: 550 Permission denied
      C: DELE h
      E: storage op=delete path=/h => EIO
      S: 451
      S! secret
    `);
  });
});

describe('RNFR / RNTO', () => {
  it('renames', () => {
    transcript(`
      @login
      C: RNFR a.txt
      E: storage op=stat path=/a.txt => file 1
      S: 350
      C: RNTO b.txt
      E: storage op=rename from=/a.txt to=/b.txt => ok
      S: 250 Rename successful
    `);
  });

  it('RNTO without RNFR is 503; RNFR of a missing file is 550 and sets nothing', () => {
    transcript(`
      @login
      C: RNTO b
      S: 503 RNFR required first
      C: RNFR missing
      E: storage op=stat path=/missing => ENOENT
      S: 550
      C: RNTO b
      S: 503
    `);
  });

  it('any command between RNFR and RNTO cancels the RNFR, even an unknown or refused one', () => {
    transcript(`
      @login
      C: RNFR a
      E: storage op=stat => file 1
      S: 350
      C: NOOP
      S: 200
      C: RNTO b
      S: 503
      C: RNFR a
      E: storage op=stat => file 1
      S: 350
      C: BOGUS
      S: 500
      C: RNTO b
      S: 503
      C: RNFR a
      E: storage op=stat => file 1
      S: 350
      C: RETR
      S: 501
      C: RNTO b
      S: 503
    `);
  });

  it('a failed rename is answered from the error table', () => {
    transcript(`
      @login
      C: RNFR a
      E: storage op=stat => dir
      S: 350
      C: RNTO /x/y
      E: storage op=rename from=/a to=/x/y => ENOENT
      S: 550
    `);
  });

  it('10,000 RNFR in a row keep one pending name and constant-size state', () => {
    const t = new Transcript().run('@login');
    const enc = new TextEncoder();
    for (let i = 0; i < 10_000; i++) {
      const out = t.send(enc.encode(`RNFR f${i}\r\n`));
      expect(out.effects).toHaveLength(1);
      const e = out.effects[0];
      if (e?.kind !== 'storage') throw new Error('expected a stat');
      const done = t.session.resolve(e.id, { ok: true, stat: { name: `f${i}`, path: `/f${i}`, type: 'file', size: 0, mtime: new Date(0) } });
      expect(done.write).toHaveLength(1);
      expect(t.session.queuedLines).toBe(0);
      expect(t.session.pendingBytes).toBe(0);
    }
    const out = t.send(enc.encode('RNTO z\r\n'));
    expect(out.effects).toMatchObject([{ kind: 'storage', call: { op: 'rename', from: '/f9999', to: '/z' } }]);
  });

  it('10,000 RNFR pipelined in one chunk: the queue stays bounded and the connection closes with 421', () => {
    const t = new Transcript().run('@login');
    const many = 'RNFR x\r\n'.repeat(10_000);
    const out = t.send(new TextEncoder().encode(many));
    expect(out.close).toBe(true);
    expect(t.session.queuedLines).toBe(0);
    const text = new TextDecoder().decode(out.write.at(-1));
    expect(text).toMatch(/^421 /);
  });
});
