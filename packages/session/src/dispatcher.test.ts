import { describe, expect, it } from 'vitest';
import { transcript } from './test-support/transcript.js';

describe('dispatcher guards', () => {
  it('500 for an unknown verb and an empty line, 502 for known but unimplemented verbs', () => {
    transcript(`
      C: FROB x
      S: 500
      C:
      S: 500
      C: SMNT /mnt
      S: 502
      C: LPSV
      S: 502
      C: ADAT abc
      S: 502
      C: MIC x
      S: 502
      C: CONF x
      S: 502
      C: ENC x
      S: 502
      C: LPRT 4,4,127,0,0,1,2,4,1
      S: 502
      C: LANG EN
      S: 502
      C: MLFL
      S: 502
      C: MAIL
      S: 502
      C: MSND
      S: 502
      C: MSOM
      S: 502
      C: MSAM
      S: 502
      C: MRSQ
      S: 502
      C: MRCP
      S: 502
    `);
  });

  it('502 for commands whose capability is missing', () => {
    transcript(`
      C: AUTH TLS
      S: 502
      C: PBSZ 0
      S: 502
      C: PROT P
      S: 502
      C: CCC
      S: 502
      @login
      C: MFMT 20240101000000 a.txt
      S: 502
    `);
  });

  it('501 for an argument where none is allowed and a missing required argument', () => {
    transcript(`
      C: NOOP extra
      S: 501
      C: USER
      S: 501
      C: USER    
      S: 501
      @login
      C: PWD x
      S: 501
      C: RETR
      S: 501
      C: CDUP now
      S: 501
    `);
  });

  it('530 before login for every command that needs it', () => {
    const verbs = ['CWD /', 'XCWD /', 'CDUP', 'XCUP', 'PORT 127,0,0,1,4,1', 'PASV', 'EPRT |1|127.0.0.1|1025|', 'EPSV',
      'TYPE I', 'STRU F', 'MODE S', 'RETR a', 'STOR a', 'STOU', 'APPE a', 'ALLO 10', 'REST 0', 'RNFR a', 'RNTO b',
      'ABOR', 'DELE a', 'RMD a', 'XRMD a', 'MKD a', 'XMKD a', 'PWD', 'XPWD', 'LIST', 'NLST', 'SITE HELP', 'STAT',
      'SIZE a', 'MDTM a', 'MLST a', 'MLSD', 'HASH a'];
    transcript(verbs.map((v) => `C: ${v}\nS: 530`).join('\n'));
  });

  it('commands allowed before login', () => {
    transcript(`
      C: SYST
      S: 215 UNIX Type: L8
      C: NOOP
      S: 200
      C: FEAT
      S: 211
      C: HELP
      S: 214
      C: OPTS UTF8 ON
      S: 200
      C: ACCT x
      S: 202
      C: HOST ftp.example.com
      S: 220
      C: REIN
      E: close-data
      S: 220
      C: QUIT
      S: 221
      CLOSED
    `);
  });

  it('verbs are case-insensitive', () => {
    transcript(`
      C: noop
      S: 200
      C: sYsT
      S: 215
    `);
  });

  it('per-user deny list answers 550 before the handler runs', () => {
    transcript(`
      @login deny=DELE,xmkd
      C: DELE a.txt
      S: 550 Permission denied
      C: XMKD d
      S: 550
      C: MKD d
      E: storage op=mkdir path=/d => ok
      S: 257
    `);
  });

  it('read-only users get 550 for every command that writes', () => {
    const writes = ['STOR a', 'STOU', 'APPE a', 'RNFR a', 'RNTO b', 'DELE a', 'RMD d', 'XRMD d', 'MKD d', 'XMKD d'];
    transcript(`@login ro\n${writes.map((v) => `C: ${v}\nS: 550`).join('\n')}\nC: SITE CHMOD 644 a\nS: 502`);
    transcript(`
      @login ro
      C: SITE CHMOD 644 a
      S: 550
      C: MFMT 20240101000000 a
      S: 550
      C: RETR a
      S: 425
    `, { config: { capabilities: { tls: false, setMtime: true, chmod: true } } });
  });

  it('a handler that throws (NUL in a path) is answered from the error table', () => {
    transcript(`
      @login
      C> "CWD a\\u0000b\\r\\n"
      S: 553
    `);
  });
});
