import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { awaitHandshake, type HandshakeWording } from './tls-handshake.js';

/** How the FTP client checks the server's certificate (RFC 4217 §7: the FTP client is the TLS client). */
export interface TlsClientOptions {
  /** The host the client was asked to reach: the certificate must name it, unless `servername` does. */
  host: string;
  /** The name to send (SNI) and check the certificate against when `host` is an IP address. */
  servername?: string | undefined;
  /** Extra trusted CA certificate(s) (PEM). */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Check the certificate. Default true. */
  rejectUnauthorized?: boolean | undefined;
}

/** Options of {@link secureClientSocket}. */
export interface SecureClientSocketOptions extends TlsClientOptions {
  /**
   * A session to resume: on a data connection, the control connection's ({@link tlsSessionOf}).
   * Servers such as vsftpd (`require_ssl_reuse`) refuse data connections that do not resume it.
   * @see RFC 4217 §10.2
   */
  session?: Buffer | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

const CLIENT_WORDING: HandshakeWording = {
  timeout: 'TLS handshake timed out',
  failed: 'TLS handshake failed',
  closed: 'closed during the TLS handshake',
};

/** The newest session each client TLS socket announced (TLS 1.3 tickets may come any time after the handshake). */
const latestSession = new WeakMap<TLSSocket, Buffer>();

/** The `node:tls` options for the client role: TLS 1.2 or later, SNI only for a host name. */
function connectionOptions(options: TlsClientOptions): ConnectionOptions {
  const o: ConnectionOptions = { rejectUnauthorized: options.rejectUnauthorized ?? true, minVersion: 'TLSv1.2', host: options.host };
  if (options.ca !== undefined) o.ca = options.ca;
  const name = options.servername ?? (isIP(options.host) === 0 ? options.host : undefined);
  if (name !== undefined && name !== '') o.servername = name;
  return o;
}

/**
 * TLS as the client over a connected socket: the FTP client's control connection (implicit TLS,
 * or AUTH TLS through `ControlConnection.upgradeToTls`) and its data connections, passive and
 * active alike. Every session ticket the server sends is recorded for {@link tlsSessionOf}.
 * Resolves once the handshake is done; rejects with DataChannelError 'tls' (certificate refused,
 * handshake failed, closed), 'timeout' or 'reset' (aborted), the socket then destroyed.
 * @see RFC 4217 §4, §7, §10.2
 */
export async function secureClientSocket(socket: Socket, options: SecureClientSocketOptions): Promise<TLSSocket> {
  const secure = startClientTls(socket, options);
  await awaitHandshake(secure, {
    readyEvent: 'secureConnect',
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    wording: CLIENT_WORDING,
  });
  return secure;
}

/**
 * Starts the client handshake without waiting for it.
 * @internal `ControlConnection.upgradeToTls` waits itself
 */
export function startClientTls(socket: Socket, options: TlsClientOptions & { session?: Buffer | undefined }): TLSSocket {
  const secure = tlsConnect({
    ...connectionOptions(options),
    socket,
    ...(options.session === undefined ? {} : { session: options.session }),
  });
  secure.on('session', (s: Buffer) => latestSession.set(secure, s));
  return secure;
}

/**
 * The session a data connection should resume: the newest one the server announced on this
 * client TLS socket, else what the socket holds now; undefined for a plain socket.
 */
export function tlsSessionOf(socket: Socket): Buffer | undefined {
  const secure = socket as TLSSocket;
  if (secure.encrypted !== true) return undefined;
  return latestSession.get(secure) ?? secure.getSession();
}
