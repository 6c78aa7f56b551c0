import { describe, expect, it } from 'vitest';
import { Transcript, transcript } from '../test-support/transcript.js';

const ALL_CAPS = { capabilities: { tls: true, setMtime: true, chmod: true } };

function featLines(options: ConstructorParameters<typeof Transcript>[0] = {}): string[] {
  const t = new Transcript(options).run('C: FEAT\nS: 211 Features:');
  const out = t.outputs.at(-1);
  const text = new TextDecoder().decode(out?.write[0]);
  return text.split('\r\n').filter((l) => l.startsWith(' ')).map((l) => l.slice(1));
}

describe('FEAT', () => {
  it('without capabilities: the base extensions only', () => {
    expect(featLines()).toEqual([
      'EPRT', 'EPSV', 'HASH SHA-256*;SHA-1;MD5;CRC32', 'HOST', 'MDTM',
      'MLST type*;size*;modify*;perm*;unique;unix.mode*;', 'REST STREAM', 'SIZE', 'TVFS', 'UTF8',
    ]);
  });

  it('with TLS and setMtime: AUTH TLS, PBSZ, PROT and MFMT too', () => {
    const lines = featLines({ config: ALL_CAPS });
    expect(lines).toEqual(expect.arrayContaining(['AUTH TLS', 'PBSZ', 'PROT', 'MFMT']));
    expect(lines).toHaveLength(14);
  });

  it('follows OPTS MLST and OPTS HASH', () => {
    transcript(`
      C: OPTS MLST modify;TYPE;bogus;
      S: 200 MLST OPTS type;modify;
      C: OPTS HASH md5
      S: 200 MD5
      C: FEAT
      S: 211
      S~ MLST type*;size;modify*;perm;unique;unix.mode;
      S~ HASH SHA-256;SHA-1;MD5*;CRC32
      S! AUTH TLS
      S! MFMT
    `);
  });

  it('is a well-formed RFC 2389 reply', () => {
    const t = new Transcript().run('C: FEAT\nS: 211');
    const text = new TextDecoder().decode(t.outputs.at(-1)?.write[0]);
    expect(text.startsWith('211-Features:\r\n')).toBe(true);
    expect(text.endsWith('\r\n211 End\r\n')).toBe(true);
  });
});

describe('OPTS', () => {
  it('UTF8 ON/OFF, MLST, HASH; anything else 501', () => {
    transcript(`
      C: OPTS UTF8 ON
      S: 200
      C: OPTS utf8 off
      S: 200
      C: OPTS UTF8
      S: 200
      C: OPTS UTF8 MAYBE
      S: 501
      C: OPTS MLST
      S: 200 MLST OPTS
      C: OPTS HASH
      S: 200 SHA-256
      C: OPTS HASH SHA-1
      S: 200 SHA-1
      C: OPTS HASH WHIRLPOOL
      S: 501
      C: OPTS HASH
      S: 200 SHA-1
      C: OPTS MODE Z
      S: 501
      C: OPTS
      S: 501
    `);
  });
});

describe('HELP', () => {
  it('lists the available commands from the table', () => {
    transcript(`
      C: HELP
      S: 214 The following commands are recognized:
      S~ RETR
      S~ XPWD
      S~ HASH
      S! SMNT
      S! AUTH
      S! MFMT
    `);
    transcript(`
      C: HELP
      S: 214
      S~ AUTH
      S~ MFMT
      S~ CCC
    `, { config: ALL_CAPS });
  });

  it('HELP <verb> gives the syntax; unknown verbs 501', () => {
    transcript(`
      C: HELP retr
      S: 214 Syntax: RETR <SP> path
      C: HELP XCWD
      S: 214 Syntax: CWD
      C: HELP FROB
      S: 501
      C: HELP AUTH
      S: 501
    `);
  });
});

describe('SYST / NOOP / STAT', () => {
  it('SYST is UNIX Type: L8', () => {
    transcript(`
      C: SYST
      S: 215 UNIX Type: L8
    `);
  });

  it('STAT without argument: 211 multi-line status', () => {
    transcript(`
      @login
      C: STAT
      S: 211 FTP server status:
      S~ Logged in as bob
      S~ TYPE: ASCII
      S~ Data connection: none
      S~ Control connection: plaintext
      @pasv
      C: STAT
      S: 211
      S~ Data connection: passive, prepared
    `);
  });

  it('STAT <path>: listing over the control connection, 213 multi-line', () => {
    const t = transcript(`
      @login
      C: STAT docs
      E: storage op=stat path=/docs => dir
      E: list-control path=/docs single=false => ok lines="drwxr-xr-x 1 ftp ftp 0 Jan 01 00:00 a|211 oddly named"
      S: 213 Status of /docs:
      S~ drwxr-xr-x
      C: STAT f
      E: storage op=stat path=/f => file 1
      E: list-control path=/f single=true => ok lines=x
      S: 213
      C: STAT missing
      E: storage op=stat => ENOENT
      S: 550
      C: STAT dir
      E: storage op=stat => dir
      E: list-control => EACCES
      S: 550
    `);
    // a listing line that starts with digits must not end the multi-line reply early
    const text = new TextDecoder().decode(t.outputs.find((o) => o.write.length > 0 && new TextDecoder().decode(o.write[0]).startsWith('213-'))?.write[0]);
    expect(text).toContain('\r\n 211 oddly named\r\n213 End of status.\r\n');
  });
});

describe('SIZE / MDTM / MFMT', () => {
  it('SIZE is refused in TYPE A, answered in TYPE I; directories 550', () => {
    transcript(`
      @login
      C: SIZE f
      S: 550 SIZE not allowed in ASCII mode.
      C: TYPE I
      S: 200
      C: SIZE f
      E: storage op=stat path=/f => file 4096
      S: 213 4096
      C: SIZE d
      E: storage op=stat path=/d => dir
      S: 550
      C: SIZE nope
      E: storage op=stat => ENOENT
      S: 550
    `);
  });

  it('MDTM gives the UTC time in whole seconds', () => {
    transcript(`
      @login
      C: MDTM f
      E: storage op=stat path=/f => file 1
      S: 213 20240102030405
      C: MDTM nope
      E: storage op=stat => ENOENT
      S: 550
      C: MDTM 20240101000000 f
      E: storage op=stat path="/20240101000000 f" => ENOENT
      S: 550
    `);
  });

  it('MFMT sets the time when the storage can', () => {
    transcript(`
      @login
      C: MFMT 20230405060708 my file.txt
      E: storage op=setMtime path="/my file.txt" mtime=2023-04-05T06:07:08.000Z => ok
      S: 213 Modify=20230405060708; my file.txt
      C: MFMT 20231301000000 f
      S: 501
      C: MFMT 20230405060708
      S: 501
      C: MFMT 20230405060708 gone
      E: storage op=setMtime path=/gone => ENOENT
      S: 550
    `, { config: ALL_CAPS });
  });
});

describe('MLST', () => {
  it('one entry with the selected facts, 250 multi-line', () => {
    const t = transcript(`
      @login
      C: MLST f.txt
      E: storage op=stat path=/f.txt => file 42 mode=644 unique=abc
      S: 250 Listing /f.txt
      S~ type=file;size=42;modify=20240102030405;perm=adfrw;unix.mode=0644; /f.txt
      C: OPTS MLST type;unique;
      S: 200
      C: MLST
      E: storage op=stat path=/ => dir
      S: 250
      S~ type=dir; /
      C: MLST nope
      E: storage op=stat => ENOENT
      S: 550
    `);
    const text = new TextDecoder().decode(t.outputs.find((o) => o.write.some((w) => new TextDecoder().decode(w).startsWith('250-')))?.write[0]);
    // RFC 3659 §7.2: the entry line starts with exactly one space
    expect(text).toMatch(/^250-Listing \/f\.txt\r\n type=file;[^\r]* \/f\.txt\r\n250 End\.\r\n$/);
  });

  it('read-only users see read-only permissions', () => {
    transcript(`
      @login ro
      C: MLST d
      E: storage op=stat path=/d => dir
      S: 250
      S~ perm=el;
      C: MLST f
      E: storage op=stat path=/f => file 1
      S: 250
      S~ perm=r;
    `);
  });
});

describe('HASH', () => {
  it('digests a file with the selected algorithm (draft-bryan-ftpext-hash)', () => {
    transcript(`
      @login
      C: HASH f.bin
      E: storage op=stat path=/f.bin => file 3
      E: hash path=/f.bin algorithm=SHA-256 => ok digest=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
      S: 213 SHA-256 0-3 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad f.bin
      C: OPTS HASH CRC32
      S: 200 CRC32
      C: HASH f.bin
      E: storage op=stat => file 3
      E: hash algorithm=CRC32 => ok digest=352441c2
      S: 213 CRC32 0-3 352441c2 f.bin
    `);
  });

  it('directories, missing files and failed hashing are answered from the table', () => {
    transcript(`
      @login
      C: HASH d
      E: storage op=stat => dir
      S: 550
      C: HASH nope
      E: storage op=stat => ENOENT
      S: 550
      C: HASH f
      E: storage op=stat => file 1
      E: hash => EIO
      S: 451
    `);
  });
});

describe('SITE', () => {
  it('SITE HELP lists what exists; CHMOD needs the capability', () => {
    transcript(`
      @login
      C: SITE HELP
      S: 214
      S! CHMOD
      C: SITE CHMOD 644 f
      S: 502
      C: SITE FROB
      S: 500
    `);
  });

  it('SITE CHMOD with the capability', () => {
    transcript(`
      @login
      C: SITE HELP
      S: 214
      S~ CHMOD
      C: site chmod 755 my script.sh
      E: storage op=chmod path="/my script.sh" mode=493 => ok
      S: 200
      C: SITE CHMOD 999 f
      S: 501
      C: SITE CHMOD 644
      S: 501
      C: SITE CHMOD 644 nope
      E: storage op=chmod => ENOENT
      S: 550
    `, { config: ALL_CAPS });
    transcript(`
      @login deny=SITE CHMOD
      C: SITE CHMOD 644 f
      S: 550
    `, { config: ALL_CAPS });
  });

  it('SITE CHMOD sets permission bits only: setuid, setgid and sticky are 550 and never reach the storage', () => {
    transcript(`
      @login
      C: SITE CHMOD 4755 suidtool
      S: 550 SITE CHMOD sets permission bits only
      C: SITE CHMOD 2755 f
      S: 550
      C: SITE CHMOD 1777 /
      S: 550
      C: SITE CHMOD 6777 /
      S: 550
      C: SITE CHMOD 7777 f
      S: 550
      C: SITE CHMOD 0777 f
      E: storage op=chmod path=/f mode=511 => ok
      S: 200
      C: SITE CHMOD 0 f
      E: storage op=chmod path=/f mode=0 => ok
      S: 200
      --
    `, { config: ALL_CAPS });
  });
});
