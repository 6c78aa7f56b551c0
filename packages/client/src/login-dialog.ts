import { parseQuotedPath } from '@ftpkit/codec';
import { command, describeCommand, expectReply, type Dialog } from './dialog.js';
import { FtpReplyError } from './errors.js';
import { parseFeatures, type Features } from './features.js';

/** What the login conversation needs. */
export interface LoginParams {
  user: string;
  password: string;
  account?: string;
  /** 'explicit': AUTH TLS before USER; 'implicit': the socket is TLS already; false: plain. */
  secure: false | 'explicit' | 'implicit';
}

/** What login learned. */
export interface LoginResult {
  greeting: string;
  features: Features;
  /** The working directory after login (from PWD), '/' if the server would not say. */
  cwd: string;
  /** True when the data channel is protected (PROT P). */
  protectedData: boolean;
}

/**
 * Greeting, optional AUTH TLS, USER/PASS/ACCT, PBSZ 0 + PROT P on TLS, FEAT, OPTS UTF8 ON, TYPE I, PWD.
 * @see RFC 959 §4.1.1, RFC 4217 §§4-9, RFC 2389, RFC 2640
 */
export function* loginDialog(p: LoginParams): Dialog<LoginResult> {
  let greeting = yield { type: 'read' };
  // 120: "service ready in nnn minutes" — the real greeting follows.
  if (greeting.code === 120) greeting = yield { type: 'read' };
  expectReply(greeting, [220], 'greeting');

  if (p.secure === 'explicit') {
    const auth = yield command('AUTH', 'TLS');
    expectReply(auth, [234], 'AUTH TLS');
    yield { type: 'upgrade-tls' };
  }

  const user = yield command('USER', p.user);
  if (user.code !== 230) {
    expectReply(user, [331, 332], describeCommand('USER', p.user));
    let pass = user;
    if (user.code === 331) {
      pass = yield command('PASS', p.password, true);
    }
    if (pass.code === 332) {
      if (p.account === undefined) throw new FtpReplyError(pass.code, pass.text, 'PASS ***');
      pass = yield command('ACCT', p.account, true);
    }
    expectReply(pass, [230, 202], 'PASS ***');
  }

  let protectedData = false;
  if (p.secure) {
    expectReply(yield command('PBSZ', '0'), [200], 'PBSZ 0');
    expectReply(yield command('PROT', 'P'), [200], 'PROT P');
    protectedData = true;
  }

  const features = parseFeatures(yield command('FEAT'));
  if (features.has('UTF8')) yield command('OPTS', 'UTF8 ON');
  expectReply(yield command('TYPE', 'I'), [200], 'TYPE I');
  const pwd = yield command('PWD');
  let cwd = '/';
  if (pwd.code === 257) {
    try {
      cwd = parseQuotedPath(pwd.text);
    } catch {
      // A server that does not quote its path: keep '/' and let absolute paths do the work.
    }
  }
  return { greeting: greeting.text, features, cwd, protectedData };
}
