import { describe, expect, it } from 'vitest';
import { Transcript, transcript } from '../test-support/transcript.js';

describe('USER / PASS / ACCT / REIN / QUIT / HOST', () => {
  it('logs in and reports the user', () => {
    const t = transcript(`
      C: USER bob
      S: 331 Password required
      C: PASS secret
      E: authenticate user=bob password=secret => ok user=bob
      S: 230 Login successful
      C: PWD
      S: 257 "/" is the current directory
    `);
    expect(t.session.user).toBe('bob');
  });

  it('a refused login is 530 and needs USER again', () => {
    const t = transcript(`
      C: USER bob
      S: 331
      C: PASS wrong
      E: authenticate user=bob password=wrong => ok
      S: 530 Login incorrect.
      C: PASS again
      S: 503 Login with USER first
      C: USER bob
      S: 331
      C: PASS x
      E: authenticate => fail
      S: 530 Login incorrect.
      S! secret
    `);
    expect(t.session.user).toBeUndefined();
  });

  it('an authenticate that cannot decide (LoginUnavailableError) is 421 and closes, never 530', () => {
    const t = transcript(`
      C: USER bob
      S: 331
      C: PASS x
      E: authenticate user=bob password=x => unavailable
      S: 421 Service not available
      S! secret
      CLOSED
    `);
    expect(t.session.user).toBeUndefined();
  });

  it('a user at their session limit gets 421 and the connection closes (not a wrong password)', () => {
    const t = transcript(`
      C: USER bob
      S: 331
      C: PASS x
      E: authenticate user=bob password=x => too-many-sessions
      S: 421 Too many sessions for this user
      S! secret
      CLOSED
    `);
    expect(t.session.user).toBeUndefined();
  });

  it('an empty password is passed through', () => {
    transcript(`
      C: USER anonymous
      S: 331
      C: PASS
      E: authenticate user=anonymous password="" => ok user=anonymous ro
      S: 230
    `);
  });

  it('a password keeps its spaces', () => {
    transcript(`
      C: USER bob
      S: 331
      C: PASS  two words 
      E: authenticate password=" two words " => ok user=bob
      S: 230
    `);
  });

  it('PASS without USER and PASS after login are 503', () => {
    transcript(`
      C: PASS x
      S: 503 Login with USER first
      @login
      C: PASS x
      S: 503 Already logged in
    `);
  });

  it('USER while logged in starts a re-login', () => {
    const t = new Transcript().run(`
      @login
      C: CWD /docs
      E: storage op=stat path=/docs => dir
      S: 250
      C: USER alice
      S: 331
      C: PWD
      S: 530
    `);
    expect(t.session.user).toBeUndefined();
    t.run(`
      C: PASS pw
      E: authenticate user=alice password=pw => ok user=alice
      S: 230
      C: PWD
      S: 257 "/"
    `).finish();
    expect(t.session.user).toBe('alice');
  });

  it('ACCT is not needed (202) before and after login', () => {
    transcript(`
      C: ACCT x
      S: 202
      @login
      C: ACCT x
      S: 202
    `);
  });

  it('REIN returns to just-connected and drops a prepared data channel', () => {
    transcript(`
      @login
      C: TYPE I
      S: 200
      @pasv
      C: REIN
      E: close-data
      S: 220
      C: PWD
      S: 530
      @login
      C: SIZE a
      S: 550 SIZE not allowed in ASCII mode
      C: RETR a
      S: 425 Use PORT or PASV first
    `);
  });

  it('QUIT says goodbye, closes, and later input gets nothing', () => {
    const t = transcript(`
      C: QUIT
      S: 221
      CLOSED
      C: NOOP
      IDLE
      END
    `);
    expect(t.outputs.at(-1)).toEqual({ write: [], origins: [], effects: [], close: false });
  });

  it('HOST is accepted before login only', () => {
    transcript(`
      C: HOST ftp.example.com
      S: 220 Host accepted: ftp.example.com
      C: USER bob
      S: 331
      C: HOST other.example.com
      S: 503 HOST must come before USER
      C: PASS secret
      E: authenticate => ok user=bob
      S: 230
      C: HOST x
      S: 503 HOST not allowed after login
      C: STAT
      S: 211
      S~ Virtual host: ftp.example.com
    `);
  });

  it('requireTls refuses USER and PASS with 534 before AUTH TLS', () => {
    transcript(`
      C: USER bob
      S: 534
      C: PASS x
      S: 534
      C: SYST
      S: 215
    `, { config: { requireTls: true, capabilities: { tls: true, setMtime: false, chmod: false } } });
  });

  it('requireTls is satisfied by implicit TLS', () => {
    transcript(`
      @login
    `, { config: { requireTls: true, implicitTls: true, capabilities: { tls: true, setMtime: false, chmod: false } } });
  });

  it('the greeting can be configured, and start() may refuse with 421', () => {
    transcript(`S: 220 Welcome to test`, { greet: false, config: { greeting: 'Welcome to test' } });
    const t = new Transcript({ greet: false });
    expect(() => t.session.start()).toThrow(/already started/);
  });
});
