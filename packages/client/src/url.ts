import { FtpError } from './errors.js';

/** What an `ftp://`, `ftps://` or `ftpes://` URL says. */
export interface FtpUrl {
  host: string;
  port: number;
  /**
   * 'implicit' for ftps:// (TLS from the first byte, port 990 by default, as curl reads it);
   * 'explicit' for ftpes:// (AUTH TLS on the plain port, 21 by default, as lftp reads it).
   */
  secure: false | 'implicit' | 'explicit';
  user?: string;
  password?: string;
  /** Decoded path, '' when the URL has none. A leading '/' is kept: "/a/b". */
  path: string;
}

/**
 * Parses `ftp://user:pass@host:port/path`, `ftps://...` (implicit TLS) and `ftpes://...`
 * (explicit TLS: AUTH TLS before USER, and protected data connections). IPv6 hosts are written
 * in brackets (`ftp://[::1]:2121/`). User, password and path are percent-decoded.
 * @see RFC 1738 §3.2
 */
export function parseFtpUrl(text: string): FtpUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FtpError('BAD_URL', `not a URL: ${redactUrl(text)}`);
  }
  if (url.protocol !== 'ftp:' && url.protocol !== 'ftps:' && url.protocol !== 'ftpes:') {
    throw new FtpError('BAD_URL', `unsupported scheme ${url.protocol} (use ftp://, ftps:// or ftpes://)`);
  }
  const secure = url.protocol === 'ftps:' ? 'implicit' : url.protocol === 'ftpes:' ? 'explicit' : false;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (!host) throw new FtpError('BAD_URL', 'the URL has no host');
  const result: FtpUrl = {
    host,
    port: url.port ? Number(url.port) : secure === 'implicit' ? 990 : 21,
    secure,
    path: decodeURIComponent(url.pathname),
  };
  if (url.username) result.user = decodeURIComponent(url.username);
  if (url.password) result.password = decodeURIComponent(url.password);
  return result;
}

/** The URL with any password replaced by `***`, for messages and logs. */
export function redactUrl(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
