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
  stdinPassword ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) {
      chunks.push(c as Buffer);
      if (Buffer.concat(chunks).includes(10)) break;
    }
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  })();
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
