import type { Reply } from '@ftpkit/codec';
import { FtpReplyError } from './errors.js';

/**
 * Theory of operation: the client's conversation is written as generators that yield steps and
 * receive replies. A step is "send this command and give me its final reply", "give me the next
 * reply" (the greeting), or "upgrade the control connection to TLS now". The generators do no I/O,
 * read no clock and start no timer: the Node driver runs them against a socket, and the tests run
 * them against written transcripts (`S: 220 hi` / `C: USER bob`).
 */
export type Step =
  /** Send a command; the driver answers with its final (non-1xx) reply. */
  | { type: 'command'; verb: string; arg?: string; secret?: boolean }
  /** Wait for the next reply without sending anything (the greeting). */
  | { type: 'read' }
  /** Wrap the control connection in TLS (after 234 to AUTH TLS); answered with a dummy reply. */
  | { type: 'upgrade-tls' };

/** A conversation that returns `T`. */
export type Dialog<T> = Generator<Step, T, Reply>;

/** `USER bob`, `PASS ***`: how a command is named in errors and logs. */
export function describeCommand(verb: string, arg?: string, secret = false): string {
  if (!arg) return verb;
  return secret ? `${verb} ***` : `${verb} ${arg}`;
}

/** A command step. */
export function command(verb: string, arg?: string, secret = false): Step {
  return arg === undefined ? { type: 'command', verb, secret } : { type: 'command', verb, arg, secret };
}

/** Throws an FtpReplyError unless the reply code is one of `ok` (or in its class when given as 2, 3). */
export function expectReply(reply: Reply, ok: readonly number[], what: string): Reply {
  const pass = ok.some((c) => (c < 10 ? Math.floor(reply.code / 100) === c : reply.code === c));
  if (!pass) throw new FtpReplyError(reply.code, reply.text, what);
  return reply;
}

/** Sends one command and requires a reply of the given class/codes. */
export function* simpleCommand(verb: string, arg: string | undefined, ok: readonly number[]): Dialog<Reply> {
  const reply = yield command(verb, arg);
  return expectReply(reply, ok, describeCommand(verb, arg));
}

/** A dummy reply the driver passes back for steps that have none. */
export const NO_REPLY: Reply = { code: 0, lines: [], text: '' };
