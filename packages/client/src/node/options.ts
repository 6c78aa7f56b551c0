import { FtpError } from '../errors.js';
import { parseFtpUrl } from '../url.js';

/** How to reach and talk to the server. Every limit has a documented default. */
export interface FtpClientOptions {
  host: string;
  /** Default 21, or 990 for implicit TLS. */
  port?: number | undefined;
  /** Default "anonymous". */
  user?: string | undefined;
  /** Default "anonymous@" for anonymous, else "". Never logged. */
  password?: string | undefined;
  account?: string | undefined;
  /** false (default): plain FTP; 'explicit': AUTH TLS; 'implicit': TLS from the first byte (ftps://). */
  secure?: false | 'explicit' | 'implicit' | undefined;
  /** Extra trusted CA certificate(s) (PEM). */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Skip certificate checks (self-signed servers you trust by other means). Default false. */
  insecure?: boolean | undefined;
  /** SNI / certificate name when `host` is an IP address but the certificate names a host. */
  servername?: string | undefined;
  /** Passive (default) or active data connections. */
  mode?: 'passive' | 'active' | undefined;
  /** Trust the host a 227 reply names even when it is not the control host (broken NAT). Default false. */
  allowPasvHost?: boolean | undefined;
  /** Connect (and TLS handshake) timeout, ms. Default 15 000. */
  connectTimeout?: number | undefined;
  /** Time to wait for each reply, ms. Default 30 000. */
  replyTimeout?: number | undefined;
  /** A data connection that moves no byte for this long fails, ms. Default 30 000. */
  dataTimeout?: number | undefined;
  /** Largest reply accepted, bytes. Default 64 KiB. */
  maxReplySize?: number | undefined;
  /** Largest directory listing accepted, bytes. Default 32 MiB. */
  maxListingSize?: number | undefined;
  /** Send NOOP after this much idle time, ms; 0 turns keepalive off. Default 60 000. */
  keepaliveInterval?: number | undefined;
  /** Reconnect-and-resume attempts for a download or upload after a dropped connection. Default 3. */
  retries?: number | undefined;
  /** Pause between retries, ms. Default 500. */
  retryDelay?: number | undefined;
  /** Buffer size for file streams, bytes. Default 1 MiB. */
  highWaterMark?: number | undefined;
}

/** Options with every default filled in. */
export type ResolvedOptions = Required<Omit<FtpClientOptions, 'ca' | 'account' | 'servername'>> & Pick<FtpClientOptions, 'ca' | 'account' | 'servername'>;

/** Fills defaults; a URL string becomes host/port/user/password/secure. */
export function resolveOptions(input: string | FtpClientOptions, extra: Partial<FtpClientOptions> = {}): ResolvedOptions {
  let base: FtpClientOptions;
  if (typeof input === 'string') {
    const u = parseFtpUrl(input);
    base = { host: u.host, port: u.port, secure: u.secure };
    if (u.user !== undefined) base.user = u.user;
    if (u.password !== undefined) base.password = u.password;
  } else {
    base = input;
  }
  const o: FtpClientOptions = { ...base, ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)) };
  if (!o.host) throw new FtpError('BAD_OPTIONS', 'host is required');
  const secure = o.secure ?? false;
  const user = o.user ?? 'anonymous';
  return {
    host: o.host,
    port: o.port ?? (secure === 'implicit' ? 990 : 21),
    user,
    password: o.password ?? (user === 'anonymous' ? 'anonymous@' : ''),
    secure,
    insecure: o.insecure ?? false,
    mode: o.mode ?? 'passive',
    allowPasvHost: o.allowPasvHost ?? false,
    connectTimeout: o.connectTimeout ?? 15_000,
    replyTimeout: o.replyTimeout ?? 30_000,
    dataTimeout: o.dataTimeout ?? 30_000,
    maxReplySize: o.maxReplySize ?? 64 * 1024,
    maxListingSize: o.maxListingSize ?? 32 * 1024 * 1024,
    keepaliveInterval: o.keepaliveInterval ?? 60_000,
    retries: o.retries ?? 3,
    retryDelay: o.retryDelay ?? 500,
    highWaterMark: o.highWaterMark ?? 1024 * 1024,
    ...(o.ca !== undefined ? { ca: o.ca } : {}),
    ...(o.account !== undefined ? { account: o.account } : {}),
    ...(o.servername !== undefined ? { servername: o.servername } : {}),
  };
}
