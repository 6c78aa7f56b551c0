import { describe, it } from 'vitest';
import { transcript } from '../test-support/transcript.js';

describe('PORT / PASV / EPRT / EPSV', () => {
  it('PORT asks the driver to check the target, then 200', () => {
    transcript(`
      @login
      C: PORT 127,0,0,1,4,1
      E: active host=127.0.0.1 port=1025 => ok
      S: 200 PORT command successful
      C: STAT
      S: 211
      S~ active to port 1025
    `);
  });

  it('a malformed PORT is 501 without asking the driver', () => {
    transcript(`
      @login
      C: PORT 127,0,0,1,4
      S: 501
      C: PORT 300,0,0,1,4,1
      S: 501
      C: PORT hello
      S: 501
    `);
  });

  it('a PORT the driver refuses (bounce, privileged port) is 425 from the error table', () => {
    transcript(`
      @login
      C: PORT 10,0,0,9,4,1
      E: active host=10.0.0.9 port=1025 => dc:peer-mismatch
      S: 425
      C: RETR a
      S: 425 Use PORT or PASV first
    `);
  });

  it('PASV names the listener in a 227 reply', () => {
    transcript(`
      @login
      C: PASV
      E: passive extended=false => ok host=192.168.1.10 port=50001
      S: 227 Entering Passive Mode (192,168,1,10,195,81)
    `);
  });

  it('PASV with an IPv6 listener drops it and points to EPSV', () => {
    transcript(`
      @login
      C: PASV
      E: passive extended=false => ok host=::1 port=50001
      E: close-data
      S: 425
      S~ EPSV
    `);
  });

  it('PASV that cannot listen is answered from the error table', () => {
    transcript(`
      @login
      C: PASV
      E: passive => fail
      S: 451
      S! secret
    `);
  });

  it('EPRT for IPv4 and IPv6; other families are 522, garbage 501', () => {
    transcript(`
      @login
      C: EPRT |1|127.0.0.1|1025|
      E: active host=127.0.0.1 port=1025 => ok
      S: 200
      C: EPRT |2|::1|1026|
      E: active host=::1 port=1026 => ok
      S: 200
      C: EPRT |3|x|1|
      S: 522 Network protocol not supported, use (1,2)
      C: EPRT |1|999.1.1.1|1025|
      S: 501
      C: EPRT nonsense
      S: 501
    `);
  });

  it('EPSV, EPSV 1, EPSV 2 give 229; EPSV 7 is 522; EPSV x is 501', () => {
    transcript(`
      @login
      C: EPSV
      E: passive extended=true => ok host=127.0.0.1 port=50002
      S: 229 Entering Extended Passive Mode (|||50002|)
      C: EPSV 1
      E: passive extended=true => ok host=127.0.0.1 port=50003
      S: 229
      C: EPSV 2
      E: passive extended=true => ok host=::1 port=50004
      S: 229
      C: EPSV 7
      S: 522
      C: EPSV x
      S: 501
    `);
  });

  it('after EPSV ALL, PORT, PASV and EPRT are refused (RFC 2428 §3) and EPSV still works', () => {
    transcript(`
      @login
      C: EPSV ALL
      S: 200
      C: PASV
      S: 503 EPSV ALL
      C: PORT 127,0,0,1,4,1
      S: 503
      C: EPRT |1|127.0.0.1|1025|
      S: 503
      C: EPSV
      E: passive extended=true => ok host=127.0.0.1 port=50002
      S: 229
      C: REIN
      E: close-data
      S: 220
      @login
      C: PASV
      E: passive => ok host=127.0.0.1 port=50003
      S: 227
    `);
  });
});

describe('TYPE / STRU / MODE / ALLO', () => {
  it('TYPE A, A N, I, L 8; others 504', () => {
    transcript(`
      @login
      C: TYPE I
      S: 200 Switching to Binary mode
      C: TYPE A
      S: 200 Switching to ASCII mode
      C: TYPE a n
      S: 200 Switching to ASCII mode
      C: TYPE L 8
      S: 200 Switching to Binary mode
      C: TYPE L 7
      S: 504
      C: TYPE E
      S: 504
      C: TYPE A T
      S: 504
      C: TYPE X
      S: 504
    `);
  });

  it('STRU F and MODE S only', () => {
    transcript(`
      @login
      C: STRU F
      S: 200
      C: STRU R
      S: 504
      C: STRU P
      S: 504
      C: MODE S
      S: 200
      C: MODE B
      S: 504
      C: MODE C
      S: 504
      C: MODE Z
      S: 504
    `);
  });

  it('ALLO is 202', () => {
    transcript(`
      @login
      C: ALLO 1000
      S: 202
      C: ALLO 1000 R 10
      S: 202
    `);
  });
});
