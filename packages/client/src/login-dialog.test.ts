import { describe, expect, it } from 'vitest';
import { FtpReplyError } from './errors.js';
import { loginDialog } from './login-dialog.js';
import { runTranscript } from './test-support/transcript.js';

describe('loginDialog', () => {
  it('logs in over explicit TLS: AUTH TLS, USER/PASS, PBSZ/PROT, FEAT, UTF8, TYPE I, PWD', () => {
    const r = runTranscript(loginDialog({ user: 'bob', password: 'pw', secure: 'explicit' }), [
      'S: 220 hello',
      'C: AUTH TLS', 'S: 234 go ahead',
      'T:',
      'C: USER bob', 'S: 331 password please',
      'C: PASS pw', 'S: 230 welcome',
      'C: PBSZ 0', 'S: 200 ok',
      'C: PROT P', 'S: 200 ok',
      'C: FEAT', 'S: 211-Features:¶ MLST type*;size*;modify*;¶ UTF8¶ EPSV¶211 End',
      'C: OPTS UTF8 ON', 'S: 200 ok',
      'C: TYPE I', 'S: 200 binary',
      'C: PWD', 'S: 257 "/home/b ""q""" is cwd',
    ]);
    expect(r.protectedData).toBe(true);
    expect(r.cwd).toBe('/home/b "q"');
    expect([...r.features.keys()]).toEqual(['MLST', 'UTF8', 'EPSV']);
    expect(r.features.get('MLST')).toBe('type*;size*;modify*;');
  });

  it('waits through a 120 greeting and skips PASS on 230 after USER', () => {
    const r = runTranscript(loginDialog({ user: 'anonymous', password: 'x', secure: false }), [
      'S: 120 ready in 1 minute', 'S: 220 now ready',
      'C: USER anonymous', 'S: 230 no password needed',
      'C: FEAT', 'S: 500 what?',
      'C: TYPE I', 'S: 200 ok',
      'C: PWD', 'S: 550 no',
    ]);
    expect(r.features.size).toBe(0);
    expect(r.cwd).toBe('/');
    expect(r.protectedData).toBe(false);
  });

  it('sends ACCT on 332 and fails with a typed error that hides the password', () => {
    expect(() => runTranscript(loginDialog({ user: 'bob', password: 'hunter2', secure: false }), [
      'S: 220 hi', 'C: USER bob', 'S: 331 pw', 'C: PASS hunter2', 'S: 530 Login incorrect.',
    ])).toThrow(/^PASS \*\*\*: 530 Login incorrect\.$/);
    const err = (() => {
      try {
        runTranscript(loginDialog({ user: 'bob', password: 'hunter2', secure: false }), ['S: 220 hi', 'C: USER bob', 'S: 331 pw', 'C: PASS hunter2', 'S: 530 no']);
      } catch (e) { return e; }
      return undefined;
    })();
    expect(err).toBeInstanceOf(FtpReplyError);
    expect((err as FtpReplyError).replyCode).toBe(530);
    expect(runTranscript(loginDialog({ user: 'bob', password: 'p', account: 'acc', secure: false }), [
      'S: 220 hi', 'C: USER bob', 'S: 331 pw', 'C: PASS p', 'S: 332 account?', 'C: ACCT acc', 'S: 230 ok',
      'C: FEAT', 'S: 502 no', 'C: TYPE I', 'S: 200 ok', 'C: PWD', 'S: 257 "/"',
    ]).cwd).toBe('/');
  });

  it('refuses to go on in plain text when AUTH TLS is refused', () => {
    expect(() => runTranscript(loginDialog({ user: 'u', password: 'p', secure: 'explicit' }), [
      'S: 220 hi', 'C: AUTH TLS', 'S: 502 no TLS here',
    ])).toThrow(/AUTH TLS: 502/);
  });

  it('refuses a 421 greeting', () => {
    expect(() => runTranscript(loginDialog({ user: 'u', password: 'p', secure: false }), ['S: 421 too many users'])).toThrow(/421/);
  });
});
