import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { DataChannelError } from '@ftpkit/codec';
import { awaitHandshake, type HandshakeWording } from './tls-handshake.js';
import type { TlsSessionCache } from './tls-session-cache.js';

const SERVER_DATA_WORDING: HandshakeWording = {
  timeout: 'TLS handshake on the data connection timed out',
  failed: 'TLS handshake on the data connection failed',
  closed: 'data connection closed during the TLS handshake',
};

/**
 * Whether a data connection must resume the control connection's TLS session (RFC 4217 §10.2;
 * vsftpd's `require_ssl_reuse`): `off` ignores it, `prefer` accepts a full handshake, `require`
 * refuses one with DataChannelError('tls'). `prefer` is a per-control-connection policy for the
 * caller: `@ftpkit/server` passes `require` once the client has resumed on a data connection.
 */
export type TlsSessionReuse = 'off' | 'prefer' | 'require';

/** Options of {@link secureDataSocket}. */
export interface SecureDataSocketOptions {
  /**
   * The control connection's context: only tickets it issued can resume here, so a session from
   * another control connection cannot be replayed onto this data connection.
   */
  secureContext: SecureContext;
  sessionReuse: TlsSessionReuse;
  /** The control connection's session-ID cache (TLS 1.2 clients resuming by session ID). */
  sessionCache?: TlsSessionCache;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * TLS on a data connection (PROT P, RFC 4217 §9). The FTP server is the TLS server in passive and
 * active mode alike (RFC 4217 §7: "the FTP client ... is always the TLS client"). Resolves once
 * the handshake is done; DataChannelError('tls') on failure, on a fresh session under `require`,
 * and DataChannelError('timeout') when the handshake takes longer than `timeoutMs`.
 */
export async function secureDataSocket(socket: Socket, options: SecureDataSocketOptions): Promise<TLSSocket> {
  const { signal } = options;
  if (signal?.aborted === true) {
    socket.destroy();
    throw new DataChannelError('reset', 'aborted');
  }
  const secure = new TLSSocket(socket, {
    isServer: true,
    secureContext: options.secureContext,
    ...(options.sessionCache === undefined ? {} : { server: options.sessionCache.asServer() }),
  });
  await awaitHandshake(secure, { readyEvent: 'secure', timeoutMs: options.timeoutMs, signal, wording: SERVER_DATA_WORDING });
  if (options.sessionReuse === 'require' && !secure.isSessionReused()) {
    secure.destroy();
    throw new DataChannelError('tls', 'TLS session of data connection not resumed');
  }
  return secure;
}
