import { FtpClient, parseFtpUrl, redactUrl, type FtpClientOptions, type FtpUrl } from '@ftpkit/client';
import { readFile } from 'node:fs/promises';
import { lookupNetrc } from './netrc.js';

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

/**
 * Client options from a URL and the common flags. The password comes from, in order: the URL,
 * --password-stdin, $FTPKIT_PASSWORD, ~/.netrc; it is never printed.
 */
export async function clientOptions(urlText: string, o: CommonOptions): Promise<{ url: FtpUrl; options: FtpClientOptions }> {
  const url = parseFtpUrl(urlText);
  const netrc = await lookupNetrc(url.host);
  const user = url.user ?? o.user ?? netrc?.login;
  let password = url.password;
  if (password === undefined && o.passwordStdin) password = await readPasswordFromStdin();
  if (password === undefined && process.env.FTPKIT_PASSWORD !== undefined) password = process.env.FTPKIT_PASSWORD;
  if (password === undefined && netrc?.password !== undefined && (netrc.login === undefined || netrc.login === user)) password = netrc.password;
  const options: FtpClientOptions = {
    host: url.host,
    port: url.port,
    secure: url.secure === 'implicit' ? 'implicit' : o.tls ? 'explicit' : false,
    mode: o.active ? 'active' : 'passive',
    insecure: o.insecure ?? false,
  };
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
