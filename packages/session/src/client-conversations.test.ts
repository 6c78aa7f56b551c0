/**
 * Whole conversations in the order common clients send them (curl, lftp, Python ftplib), as a
 * check that the pieces fit together. The real clients run against the real server in
 * @ftpkit/server's integration tests.
 */
import { describe, it } from 'vitest';
import { transcript } from './test-support/transcript.js';

const TLS = { config: { capabilities: { tls: true, setMtime: true, chmod: true } } };

describe('client-shaped conversations', () => {
  it('curl download with resume (-C -)', () => {
    transcript(`
      C: USER bob
      S: 331
      C: PASS secret
      E: authenticate => ok user=bob
      S: 230
      C: PWD
      S: 257 "/"
      C: CWD pub
      E: storage op=stat path=/pub => dir
      S: 250
      C: EPSV
      E: passive extended=true => ok host=127.0.0.1 port=40000
      S: 229 Entering Extended Passive Mode (|||40000|)
      C: TYPE I
      S: 200
      C: SIZE big.iso
      E: storage op=stat path=/pub/big.iso => file 1000
      S: 213 1000
      C: REST 400
      S: 350
      C: RETR big.iso
      E: storage op=stat path=/pub/big.iso => file 1000
      E: open-data => ok
      S: 150
      E: transfer type=retr path=/pub/big.iso offset=400 ascii=false => ok bytes=600
      S: 226
      C: QUIT
      S: 221
      CLOSED
    `);
  });

  it('curl upload resume (-C - -T) appends', () => {
    transcript(`
      @login
      C: EPSV
      E: passive => ok host=127.0.0.1 port=40001
      S: 229
      C: TYPE I
      S: 200
      C: SIZE part.bin
      E: storage op=stat => file 300
      S: 213 300
      C: APPE part.bin
      E: open-data => ok
      S: 150
      E: transfer type=stor path=/part.bin append=true offset=0 => ok bytes=700
      S: 226
    `);
  });

  it('curl --ssl-reqd: AUTH SSL, PBSZ, PROT P before USER', () => {
    transcript(`
      C: AUTH SSL
      S: 234
      E: tls-upgrade => ok
      C: USER bob
      S: 331
      C: PASS secret
      E: authenticate => ok user=bob
      S: 230
      C: PBSZ 0
      S: 200
      C: PROT P
      S: 200
      C: PWD
      S: 257
      C: EPSV
      E: passive => ok host=127.0.0.1 port=40002
      S: 229
      C: TYPE I
      S: 200
      C: STOR up.txt
      E: open-data secure=true => ok
      S: 150
      E: transfer type=stor => ok
      S: 226
    `, { config: { ...TLS.config, requireTls: true, requireTlsData: true } });
  });

  it('lftp: FEAT, AUTH TLS, OPTS, login, MLSD listing', () => {
    transcript(`
      C: FEAT
      S: 211
      S~ AUTH TLS
      C: AUTH TLS
      S: 234
      E: tls-upgrade => ok
      C: OPTS UTF8 ON
      S: 200
      C: OPTS MLST type;size;modify;UNIX.mode;
      S: 200 MLST OPTS type;size;modify;unix.mode;
      C: USER bob
      S: 331
      C: PASS secret
      E: authenticate => ok user=bob
      S: 230
      C: PWD
      S: 257
      C: PBSZ 0
      S: 200
      C: PROT P
      S: 200
      C: EPSV
      E: passive => ok host=127.0.0.1 port=40003
      S: 229
      C: MLSD
      E: storage op=stat path=/ => dir
      E: open-data secure=true => ok
      S: 150
      E: transfer format=mlsd => ok
      S: 226
    `, TLS);
  });

  it('Python ftplib: PASV download in TYPE I, then rename and delete', () => {
    transcript(`
      @login
      C: TYPE I
      S: 200
      C: PASV
      E: passive extended=false => ok host=127.0.0.1 port=40004
      S: 227 Entering Passive Mode (127,0,0,1,156,68)
      C: RETR a b.txt
      E: storage op=stat path="/a b.txt" => file 1
      E: open-data => ok
      S: 150
      E: transfer => ok
      S: 226
      C: RNFR a b.txt
      E: storage op=stat => file 1
      S: 350
      C: RNTO c.txt
      E: storage op=rename from="/a b.txt" to=/c.txt => ok
      S: 250
      C: DELE c.txt
      E: storage op=delete path=/c.txt => ok
      S: 250
      C: QUIT
      S: 221
    `);
  });

  it('an active-mode client (PORT) listing with LIST -la', () => {
    transcript(`
      @login
      C: PORT 127,0,0,1,200,10
      E: active host=127.0.0.1 port=51210 => ok
      S: 200
      C: LIST -la
      E: storage op=stat path=/ => dir
      E: open-data secure=false => ok
      S: 150
      E: transfer format=list all=true => ok
      S: 226
    `);
  });
});
