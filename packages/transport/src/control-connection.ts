import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { DataChannelError } from '@ftpkit/codec';
import { startClientTls, type TlsClientOptions } from './tls-client.js';
import { awaitHandshake, type HandshakeWording } from './tls-handshake.js';
import type { TlsSessionCache } from './tls-session-cache.js';

/** Options of {@link ControlConnection.upgradeToTls} as the FTP server (the TLS server). */
export interface TlsUpgradeOptions {
  role?: 'server' | undefined;
  secureContext: SecureContext;
  /** Called with the TLS session once established (seam for data-channel session reuse, RFC 4217 §10.2). */
  onSecure?: (socket: TLSSocket) => void;
  /** Handshake timeout. Default 10 000 ms. */
  timeoutMs?: number;
  /**
   * Drop plaintext already received (AUTH TLS: pipelined commands must never run). Default true;
   * false for implicit TLS, where nothing was read yet and the first bytes are the ClientHello.
   */
  discardPlaintext?: boolean;
  /** Session-ID cache shared with this connection's data connections (TLS 1.2 resumption). */
  sessionCache?: TlsSessionCache;
}

/**
 * Options of {@link ControlConnection.upgradeToTls} as the FTP client (the TLS client): after the
 * server's 234 to AUTH TLS. Plaintext received before the switch is discarded, as on the server:
 * a server, or someone in between, must not be able to inject replies read as if protected.
 */
export interface ClientTlsUpgradeOptions extends TlsClientOptions {
  role: 'client';
  /** Called with the TLS socket once established, before any protected byte is read. */
  onSecure?: (socket: TLSSocket) => void;
  /** Handshake timeout. Default 10 000 ms. */
  timeoutMs?: number;
}

const SERVER_CONTROL_WORDING: HandshakeWording = {
  timeout: 'TLS handshake timed out',
  failed: 'TLS handshake failed',
  closed: 'closed during TLS handshake',
};

const CLIENT_CONTROL_WORDING: HandshakeWording = {
  timeout: 'TLS handshake timed out',
  failed: 'TLS handshake failed',
  closed: 'closed during the TLS handshake',
};

/**
 * One FTP control connection (RFC 959 §2.3), at either end: pull-based reads so the kernel applies
 * backpressure when the reader is busy, writes kept in order, and the switch to TLS for AUTH TLS
 * (RFC 4217 §4) that throws away any plaintext the peer sent after the AUTH command (server) or
 * after the 234 reply (client).
 *
 * Theory of operation: the socket stays in paused mode; `read()` takes whatever is buffered or
 * waits for 'readable'. The server awaits `drained()` before reading more, so a client that sends
 * commands without reading the replies stops being read instead of growing the output buffer. The
 * FTP client reads all the time instead (ABOR's reply must get through during a transfer) and
 * bounds what it keeps itself.
 */
export class ControlConnection {
  #socket: Socket;
  #ended = false;
  #error: Error | undefined;
  /** Wakes a pending read() when the socket is swapped by upgradeToTls. */
  #wake: (() => void) | undefined;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;

  /**
   * `peer` replaces the socket's remote address when a trusted load balancer named the real client
   * (PROXY protocol): every check made against the peer (anti-hijack of passive data connections,
   * anti-bounce of PORT/EPRT targets) then uses the client's address, not the balancer's.
   */
  constructor(socket: Socket, peer?: { address: string; port: number }) {
    this.#socket = socket;
    this.remoteAddress = peer?.address ?? socket.remoteAddress ?? '';
    this.remotePort = peer?.port ?? socket.remotePort ?? 0;
    this.localAddress = socket.localAddress ?? '';
    this.localPort = socket.localPort ?? 0;
    this.#watch(socket);
  }

  #watch(socket: Socket): void {
    socket.on('error', (err: Error) => {
      this.#error ??= err;
      this.#ended = true;
      socket.destroy();
    });
    socket.once('close', () => {
      this.#ended = true;
    });
    // Attached once for the connection's life, not once per read (each attach and detach of
    // 'readable' costs the stream a few ticks, on every command); 'readable' keeps it paused.
    const wake = (): void => {
      const waiting = this.#wake;
      this.#wake = undefined;
      waiting?.();
    };
    socket.on('readable', wake);
    socket.on('end', wake);
    socket.on('close', wake);
  }

  /** The socket currently carrying the connection (a TLSSocket after an upgrade). */
  get socket(): Socket {
    return this.#socket;
  }

  /** True after a successful {@link upgradeToTls} (or when constructed over a TLSSocket). */
  get secure(): boolean {
    return this.#socket instanceof TLSSocket;
  }

  /** The first socket error, when the connection ended with one (not set by an orderly close). */
  get error(): Error | undefined {
    return this.#error;
  }

  /** True once the peer ended or the socket closed. */
  get closed(): boolean {
    return this.#ended || this.#socket.destroyed;
  }

  /** The next chunk from the peer, or null at end of stream. */
  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const socket = this.#socket;
      if (socket.destroyed) return null;
      const chunk = socket.read() as Buffer | null;
      if (chunk !== null) return chunk;
      if (socket.readableEnded || this.#ended) return null;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Queue bytes in order. Never throws: a write to a closed socket is dropped. */
  write(chunks: readonly Uint8Array[]): void {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) return;
    for (const chunk of chunks) socket.write(chunk);
  }

  /** Resolves when the output buffer is below the socket's high-water mark (or the socket closed). */
  drained(): Promise<void> {
    const socket = this.#socket;
    if (!socket.writableNeedDrain || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  /** Resolves once everything written so far reached the kernel (or the socket closed). */
  flushed(): Promise<void> {
    const socket = this.#socket;
    if (socket.writableLength === 0 || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (socket.writableLength === 0 || socket.destroyed) {
          socket.off('drain', check);
          socket.off('close', check);
          resolve();
        }
      };
      socket.on('drain', check);
      socket.on('close', check);
      socket.write(new Uint8Array(0), check);
    });
  }

  /**
   * Switch to TLS (AUTH TLS, RFC 4217 §4; implicit TLS with `discardPlaintext: false`). As the
   * server (the default role) call it after the 234 reply was written; as the client
   * (`role: 'client'`) after the 234 reply was read. Bytes already received in plaintext are
   * discarded, never interpreted. A pending {@link read} goes on with the TLS socket.
   *
   * The server role rejects with a plain Error (the session reports a failed AUTH TLS, not a data
   * channel); the client role with DataChannelError 'tls', 'timeout' as {@link secureClientSocket}.
   */
  async upgradeToTls(options: TlsUpgradeOptions | ClientTlsUpgradeOptions): Promise<void> {
    const raw = this.#socket;
    await this.flushed();
    if (options.role === 'client' || options.discardPlaintext !== false) {
      while (raw.read() !== null) {
        // Plaintext pipelined after AUTH must not be interpreted (RFC 4217 §4).
      }
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    let secure: TLSSocket;
    if (options.role === 'client') {
      secure = startClientTls(raw, options);
      await awaitHandshake(secure, { readyEvent: 'secureConnect', timeoutMs, wording: CLIENT_CONTROL_WORDING });
    } else {
      secure = new TLSSocket(raw, {
        isServer: true,
        secureContext: options.secureContext,
        ...(options.sessionCache === undefined ? {} : { server: options.sessionCache.asServer() }),
      });
      await awaitHandshake(secure, { readyEvent: 'secure', timeoutMs, wording: SERVER_CONTROL_WORDING }).catch((err: unknown) => {
        throw serverUpgradeError(err);
      });
    }
    this.#socket = secure;
    this.#watch(secure);
    const waiting = this.#wake;
    this.#wake = undefined;
    waiting?.();
    options.onSecure?.(secure);
  }

  /** Flush what was written, then close the connection. */
  async end(): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 5_000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
      // Don't wait for the peer's FIN: we are done with this connection.
      socket.once('finish', () => socket.destroy());
    });
  }

  /** Close at once, dropping unwritten output. */
  destroy(): void {
    this.#socket.destroy();
  }
}

/** The server role's errors as before the handshake wait was shared: the TLS error itself, or a plain Error. */
function serverUpgradeError(err: unknown): unknown {
  if (!(err instanceof DataChannelError)) return err;
  if (err.code === 'tls' && err.cause instanceof Error) return err.cause;
  return new Error(err.message);
}
