import { FtpClient, parseFtpUrl, redactUrl, type FtpClientOptions, type FtpUrl } from '@ftpkit/client';
import { readFile } from 'node:fs/promises';
import { read } from 'read';
import { CliError, EXIT } from './exit-codes.js';
import { lookupNetrc } from './netrc.js';
import type { ProgressMode } from './progress.js';

/** Options every subcommand takes. */
export interface CommonOptions {
  tls?: boolean;
  insecure?: boolean;
  ca?: string;
  active?: boolean;
  user?: string;
  passwordStdin?: boolean;
  quiet?: boolean;
  json?: boolean;
  /** Connect, reply and data-stall timeout, seconds. */
  timeout?: number;
  /** How progress is shown on stderr (default auto: a bar when stderr is a terminal). */
  progress?: ProgressMode;
}

let stdinPassword: Promise<string> | undefined;

/** The first line of standard input (read once, even when several connections need it). */
export function readPasswordFromStdin(): Promise<string> {
  // Read up to the first newline and leave the rest for the shell (breaking a for-await would destroy stdin).
  stdinPassword ??= new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const finish = (line: Buffer): void => {
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      process.stdin.pause();
      resolve(line.toString('utf8').replace(/\r$/, ''));
    };
    const onData = (c: Buffer): void => {
      buf = Buffer.concat([buf, c]);
      const nl = buf.indexOf(10);
      if (nl < 0) return;
      // Stop the flow before giving the rest back, or unshift would re-emit it to this listener.
      finish(buf.subarray(0, nl));
      const rest = buf.subarray(nl + 1);
      if (rest.length > 0) process.stdin.unshift(rest);
    };
    const onEnd = (): void => finish(buf);
    process.stdin.on('data', onData);
    process.stdin.once('end', onEnd);
  });
  return stdinPassword;
}

let promptedPassword: Promise<string> | undefined;

/**
 * Asks for the password on the terminal without echoing it (as curl -u and lftp do); once per
 * program, however many connections need it. The prompt goes to stderr: stdout may carry a file.
 */
export function promptPassword(user: string, host: string): Promise<string> {
  promptedPassword ??= read({ prompt: `Password for ${user}@${host}:`, silent: true, terminal: true, output: process.stderr }).then(
    (pw) => {
      // The muted line leaves the cursor after the prompt: end it as the Enter key would have.
      process.stderr.write('\n');
      return String(pw);
    },
    () => {
      throw new CliError('password prompt canceled', EXIT.interrupted, 'CANCELED');
    },
  );
  return promptedPassword;
}

/** Names that mean "no account": their password is an e-mail address or nothing, never a secret to ask for. */
const ANONYMOUS = new Set(['anonymous', 'ftp']);

/**
 * Client options from a URL and the common flags. The password comes from, in order: the URL,
 * --password-stdin, $FTPKIT_PASSWORD, ~/.netrc, and last a prompt without echo when a user is
 * named and standard input is a terminal; it is never printed.
 */
export async function clientOptions(urlText: string, o: CommonOptions): Promise<{ url: FtpUrl; options: FtpClientOptions }> {
  const url = parseFtpUrl(urlText);
  const netrc = await lookupNetrc(url.host);
  const user = url.user ?? o.user ?? netrc?.login;
  let password = url.password;
  if (password === undefined && o.passwordStdin) password = await readPasswordFromStdin();
  if (password === undefined && process.env.FTPKIT_PASSWORD !== undefined) password = process.env.FTPKIT_PASSWORD;
  if (password === undefined && netrc?.password !== undefined && (netrc.login === undefined || netrc.login === user)) password = netrc.password;
  if (password === undefined && user !== undefined && !ANONYMOUS.has(user.toLowerCase()) && process.stdin.isTTY === true) {
    password = await promptPassword(user, url.host);
  }
  const options: FtpClientOptions = {
    host: url.host,
    port: url.port,
    secure: url.secure || (o.tls ? 'explicit' : false),
    mode: o.active ? 'active' : 'passive',
    insecure: o.insecure ?? false,
  };
  if (o.timeout !== undefined) {
    const ms = Math.round(o.timeout * 1000);
    options.connectTimeout = ms;
    options.replyTimeout = ms;
    options.dataTimeout = ms;
  }
  if (user !== undefined) options.user = user;
  if (password !== undefined) options.password = password;
  if (netrc?.account !== undefined) options.account = netrc.account;
  if (o.ca) options.ca = await readFile(o.ca, 'utf8');
  return { url, options };
}

/** Connects for a subcommand. */
export async function connectFor(urlText: string, o: CommonOptions): Promise<{ client: FtpClient; url: FtpUrl }> {
  const { url, options } = await clientOptions(urlText, o);
  return { client: await FtpClient.connect(options), url };
}

export { redactUrl };
