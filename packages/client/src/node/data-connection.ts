import type { HostPort } from '@ftpkit/codec';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { FtpConnectionError, FtpProtocolError, FtpTimeoutError } from '../errors.js';
import { connectTls, ControlConnection, tlsHandshake } from './control-connection.js';
import type { ResolvedOptions } from './options.js';

/** Strips the IPv4-mapped prefix so '::ffff:127.0.0.1' and '127.0.0.1' compare equal. */
export function plainAddress(a: string | undefined): string {
  if (!a) return '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/**
 * Wraps a data socket in TLS, resuming the control connection's session: vsftpd
 * (`require_ssl_reuse`) and FileZilla Server refuse data connections that do not. Resolves once
 * the handshake is done, so nothing (not even the end of an empty upload) can cut it short.
 * @see RFC 4217 §10.2
 */
export async function secureDataSocket(raw: Socket, ctrl: ControlConnection, opts: ResolvedOptions): Promise<TLSSocket> {
  const session = ctrl.session;
  const t = connectTls({
    ...ControlConnection.tlsOptions(opts),
    socket: raw,
    host: opts.host,
    ...(session ? { session } : {}),
  });
  return await tlsHandshake(t, opts.connectTimeout, 'data connection TLS handshake failed');
}

/** Connects to a passive data port within `connectTimeout`. */
export async function connectPassive(target: HostPort, opts: ResolvedOptions): Promise<Socket> {
  return await new Promise((resolve, reject) => {
    const s = netConnect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new FtpTimeoutError('connect', opts.connectTimeout));
    }, opts.connectTimeout);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      s.on('error', () => undefined);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(new FtpConnectionError(`cannot open data connection to ${target.host}:${target.port}: ${err.message}`, { cause: err }));
    });
  });
}

/**
 * A listener for one active-mode data connection, on the local address of the control connection.
 * Only a connection from the control peer's address is accepted (anything else is dropped).
 */
export class ActiveListener {
  private accepted: Socket | undefined;
  private waiting: ((s: Socket) => void) | undefined;
  private closed = false;
  private cancelWait: (() => void) | undefined;

  private constructor(
    private readonly server: Server,
    readonly address: HostPort,
    private readonly peer: string,
  ) {
    // An accept failure (EMFILE) after listen must not be an unhandled 'error': the wait times out.
    server.on('error', () => undefined);
    server.on('connection', (s: Socket) => {
      s.on('error', () => undefined);
      if (this.closed || plainAddress(s.remoteAddress) !== plainAddress(this.peer) || this.accepted) {
        s.destroy();
        return;
      }
      this.accepted = s;
      this.server.close();
      this.waiting?.(s);
    });
  }

  static async listen(ctrl: ControlConnection, opts: ResolvedOptions): Promise<ActiveListener> {
    const local = ctrl.socket.localAddress;
    const peer = ctrl.socket.remoteAddress;
    if (!local || !peer) throw new FtpConnectionError('the control connection has no address');
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, local, () => resolve());
    });
    const addr = server.address();
    if (!addr || typeof addr === 'string') throw new FtpProtocolError('no listening address');
    return new ActiveListener(server, { host: plainAddress(local), port: addr.port }, peer);
  }

  /** The server's connection, within `timeoutMs`. */
  accept(timeoutMs: number): Promise<Socket> {
    if (this.closed) return Promise.reject(new FtpConnectionError('the data connection was cancelled'));
    if (this.accepted) return Promise.resolve(this.accepted);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close();
        reject(new FtpTimeoutError('data', timeoutMs));
      }, timeoutMs);
      this.waiting = (s) => {
        clearTimeout(timer);
        resolve(s);
      };
      this.cancelWait = () => {
        clearTimeout(timer);
        reject(new FtpConnectionError('the data connection was cancelled'));
      };
    });
  }

  /** Stops listening and closes the accepted connection (a transfer that failed or never started). */
  close(): void {
    this.closed = true;
    this.server.close();
    this.accepted?.destroy();
    if (!this.accepted) this.cancelWait?.();
  }
}
