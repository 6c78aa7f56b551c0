/**
 * Command lines: verb plus raw argument.
 *
 * @see RFC 959 §4.1.3 (command syntax), §5.3
 */
import { CommandEncodingError } from './errors.js';

/** One parsed command line. */
export interface Command {
  /** The verb, upper-cased. */
  verb: string;
  /** The argument exactly as sent after the single separating space; '' when none. */
  arg: string;
  /** A space followed the verb (so `arg` may still be ''). */
  hasArg: boolean;
}

/**
 * Splits a command line (without CRLF) at its first space. Only that one space is removed; the
 * argument stays raw (no trimming, no quote stripping), so handlers decide what it means.
 * Never throws; an empty line gives verb ''.
 *
 * @example parseCommand('retr  my file ') // { verb: 'RETR', arg: ' my file ', hasArg: true }
 * @see RFC 959 §5.3
 */
export function parseCommand(line: string): Command {
  const space = line.indexOf(' ');
  if (space < 0) return { verb: line.toUpperCase(), arg: '', hasArg: false };
  return { verb: line.slice(0, space).toUpperCase(), arg: line.slice(space + 1), hasArg: true };
}

const FORBIDDEN = /[\r\n\0]/;

/**
 * Builds "VERB arg\r\n" (or "VERB\r\n" when `arg` is undefined or ''). Throws
 * {@link CommandEncodingError} when the verb or argument holds CR, LF or NUL (they would end the
 * line early and let a value smuggle in a second command), or the verb is empty. A verb with a space
 * ('SITE CHMOD') is allowed: it gives the same bytes as verb 'SITE' with the rest in the argument.
 *
 * @see RFC 959 §4.1.3
 */
export function formatCommand(verb: string, arg?: string): string {
  if (verb === '' || FORBIDDEN.test(verb)) {
    throw new CommandEncodingError(`bad command verb ${JSON.stringify(verb)}`);
  }
  if (arg !== undefined && FORBIDDEN.test(arg)) {
    throw new CommandEncodingError(`${verb} argument contains CR, LF or NUL`);
  }
  return arg === undefined || arg === '' ? `${verb}\r\n` : `${verb} ${arg}\r\n`;
}

const encoder = new TextEncoder();

/** {@link formatCommand} as UTF-8 bytes (RFC 2640). Same checks. */
export function encodeCommand(verb: string, arg?: string): Uint8Array {
  return encoder.encode(formatCommand(verb, arg));
}
