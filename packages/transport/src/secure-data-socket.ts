import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { DataChannelError } from '@ftpkit/codec';
import type { TlsSessionCache } from './tls-session-cache.js';

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
export function secureDataSocket(socket: Socket, options: SecureDataSocketOptions): Promise<TLSSocket> {
  const { signal } = options;
  return new Promise<TLSSocket>((resolve, reject) => {
    if (signal?.aborted === true) {
      socket.destroy();
      reject(new DataChannelError('reset', 'aborted'));
      return;
    }
    const secure = new TLSSocket(socket, {
      isServer: true,
      secureContext: options.secureContext,
      ...(options.sessionCache === undefined ? {} : { server: options.sessionCache.asServer() }),
    });
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      secure.off('secure', onSecure);
      secure.off('error', onError);
      secure.off('close', onClose);
    };
    const fail = (err: DataChannelError): void => {
      cleanup();
      secure.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new DataChannelError('timeout', 'TLS handshake on the data connection timed out')), options.timeoutMs);
    const onAbort = (): void => fail(new DataChannelError('reset', 'aborted'));
    const onError = (err: Error): void => fail(new DataChannelError('tls', 'TLS handshake on the data connection failed', { cause: err }));
    const onClose = (): void => fail(new DataChannelError('tls', 'data connection closed during the TLS handshake'));
    const onSecure = (): void => {
      if (options.sessionReuse === 'require' && !secure.isSessionReused()) {
        fail(new DataChannelError('tls', 'TLS session of data connection not resumed'));
        return;
      }
      cleanup();
      secure.on('error', () => secure.destroy());
      resolve(secure);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    secure.once('secure', onSecure);
    secure.once('error', onError);
    secure.once('close', onClose);
  });
}
