import { describe, expect, it } from 'vitest';
import { Transcript, transcript } from '../test-support/transcript.js';

const TLS = { config: { capabilities: { tls: true, setMtime: false, chmod: false } } };

describe('AUTH TLS (RFC 4217)', () => {
  it('234, tls-upgrade, then a fresh login', () => {
    const t = transcript(`
      C: AUTH TLS
      S: 234
      E: tls-upgrade => ok
      C: STAT
      S: 530
      @login
      C: STAT
      S: 211
      S~ Control connection: TLS
    `, TLS);
    expect(t.session.user).toBe('bob');
  });

  it('AUTH SSL, TLS-C and lower case are aliases; other mechanisms 504', () => {
    for (const mech of ['SSL', 'TLS-C', 'tls', 'TLS-P']) {
      transcript(`
        C: AUTH ${mech}
        S: 234
        E: tls-upgrade => ok
      `, TLS);
    }
    transcript(`
      C: AUTH GSSAPI
      S: 504
      C: AUTH KERBEROS_V4
      S: 504
    `, TLS);
  });

  it('plaintext pipelined after AUTH TLS in the same chunk is discarded, never run', () => {
    transcript(`
      C> "AUTH TLS\\r\\nUSER evil\\r\\nPASS x\\r\\nDELE /important\\r\\n"
      S: 234
      E: tls-upgrade
      --
      R: tls-upgrade => ok
      --
      C: PWD
      S: 530
    `, TLS);
  });

  it('bytes arriving while the handshake runs are discarded, including a partial line', () => {
    transcript(`
      C> "AUTH TLS\\r\\nDELE /a"
      S: 234
      E: tls-upgrade
      C> "\\r\\nDELE /b\\r\\n"
      --
      R: tls-upgrade => ok
      C: NOOP
      S: 200
    `, TLS);
  });

  it('AUTH queued behind a running command also discards the lines after it', () => {
    transcript(`
      @login
      C> "MKD d\\r\\nAUTH TLS\\r\\nRMD /x\\r\\n"
      E: storage op=mkdir => ok
      S: 257
      S: 234
      E: tls-upgrade => ok
      --
      C: PWD
      S: 530
    `, TLS);
  });

  it('AUTH drops a prepared data channel and resets TYPE and cwd (RFC 4217 §4.2)', () => {
    transcript(`
      @login
      C: TYPE I
      S: 200
      @pasv
      C: AUTH TLS
      E: close-data
      S: 234
      E: tls-upgrade => ok
      @login
      C: STAT
      S: 211
      S~ TYPE: ASCII
      S~ Data connection: none
    `, TLS);
  });

  it('a failed handshake closes the connection without a reply', () => {
    transcript(`
      C: AUTH TLS
      S: 234
      E: tls-upgrade => dc:tls
      CLOSED
      C: NOOP
    `, TLS);
  });

  it('AUTH on a TLS connection is 503', () => {
    transcript(`
      C: AUTH TLS
      S: 503
    `, { config: { ...TLS.config, implicitTls: true } });
  });
});

describe('PBSZ / PROT / CCC', () => {
  it('PBSZ and PROT need AUTH TLS first; PROT P before PBSZ is 503', () => {
    transcript(`
      C: PBSZ 0
      S: 503
      C: PROT P
      S: 503
      C: AUTH TLS
      S: 234
      E: tls-upgrade => ok
      C: PROT P
      S: 503 PBSZ required first
      C: PBSZ x
      S: 501
      C: PBSZ 0
      S: 200 PBSZ=0
      C: PBSZ 1024
      S: 200 PBSZ=0
      C: PROT P
      S: 200
      C: PROT C
      S: 200
      C: PROT S
      S: 536
      C: PROT E
      S: 536
      C: PROT Q
      S: 504
    `, TLS);
  });

  it('PBSZ/PROT work before login (clients send them right after AUTH)', () => {
    transcript(`
      C: AUTH TLS
      S: 234
      E: tls-upgrade => ok
      C: PBSZ 0
      S: 200
      C: PROT P
      S: 200
      @login
      C: STAT
      S: 211
      S~ Data protection: private
    `, TLS);
  });

  it('CCC is refused by policy: 533 in plaintext, 534 under TLS', () => {
    transcript(`
      C: CCC
      S: 533
      C: AUTH TLS
      S: 234
      E: tls-upgrade => ok
      C: CCC
      S: 534
    `, TLS);
  });

  it('REIN keeps TLS and PROT', () => {
    const t = new Transcript(TLS).run(`
      C: AUTH TLS
      S: 234
      E: tls-upgrade => ok
      C: PBSZ 0
      S: 200
      C: PROT P
      S: 200
      C: REIN
      E: close-data
      S: 220
      @login
      C: STAT
      S: 211
      S~ Control connection: TLS
      S~ Data protection: private
    `);
    t.finish();
  });
});

describe('names with control characters or bidi overrides', () => {
  const BAD = ['a\\u001b[2Jx', 'a\\u0085b', 'gpj\\u202eexe.jpg', 'a\\u007f', 'tab\\there', 'x\\u2067y'];

  it.each(BAD)('MKD, STOR, APPE, STOU and RNTO refuse %j with 553 before touching storage', (json) => {
    const name = JSON.parse(`"${json}"`) as string;
    const t = new Transcript().run('@login');
    t.run('@pasv');
    for (const cmd of ['MKD', 'XMKD', 'STOR', 'APPE', 'STOU']) {
      t.send(new TextEncoder().encode(`${cmd} dir/${name}\r\n`));
      t.run('S: 553 File name not allowed');
    }
    t.run(`
      C: RNFR old.txt
      E: storage op=stat => file 1
      S: 350
    `);
    t.send(new TextEncoder().encode(`RNTO ${name}\r\n`));
    t.run('S: 553');
    // The prepared data channel was kept: a refusal before open-data leaves it for a retry.
    t.run(`
      C: STOR good.txt
      E: open-data => ok
      S: 150
      E: transfer path=/good.txt => ok
      S: 226
      --
    `).finish();
  });

  it('CR inside a new name: the line ends at CR LF only, so "a\\r230 fake" is one name, refused', () => {
    const t = new Transcript().run('@login');
    t.send(new TextEncoder().encode('MKD a\r230 fake\r\n'));
    t.run('S: 553').finish();
  });

  it('existing directories with such names may still be written below (only the new name is judged)', () => {
    const t = new Transcript().run('@login');
    t.send(new TextEncoder().encode('MKD old\u001bdir/new\r\n'));
    t.run(`
      E: storage op=mkdir => ok
      S: 257 "/old?dir/new" created.
    `).finish();
  });
});
