import { encodeCommand, ReplyDecoder, ReplyTooLargeError, type Reply } from '@ftpkit/codec';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { FtpConnectionError, FtpLimitError, FtpProtocolError, FtpReplyError, FtpTimeoutError, type FtpError } from '../errors.js';
import type { ResolvedOptions } from './options.js';

/** The newest session each TLS socket announced (TLS 1.3 tickets can arrive any time after the handshake). */
const latestSession = new WeakMap<TLSSocket, Buffer>();

/** Starts TLS and records every session ticket the server sends. */
export function connectTls(options: ConnectionOptions): TLSSocket {
  const t = tlsConnect(options);
  t.on('session', (s: Buffer) => latestSession.set(t, s));
  return t;
}

/**
 * Resolves with `t` once its handshake is done; on failure, a close before the end, or after
 * `timeoutMs` it destroys `t` and rejects with FtpTimeoutError('connect') or FtpConnectionError
 * (`what: reason`). Afterwards 'error' has a listener, so a later failure never crashes the
 * process: it surfaces through reading or writing.
 */
export function tlsHandshake(t: TLSSocket, timeoutMs: number, what: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => {
      clearTimeout(timer);
      t.destroy();
      reject(err instanceof FtpTimeoutError ? err : new FtpConnectionError(`${what}: ${err.message}`, { cause: err }));
    };
    const timer = setTimeout(() => fail(new FtpTimeoutError('connect', timeoutMs)), timeoutMs);
    const closed = (): void => fail(new Error('closed during the handshake'));
    t.once('error', fail);
    t.once('close', closed);
    t.once('secureConnect', () => {
      clearTimeout(timer);
      t.removeListener('close', closed);
      t.removeListener('error', fail);
      t.on('error', () => undefined);
      resolve(t);
    });
  });
}

/** At most this many replies nobody asked for are kept; more is a misbehaving server. */
const MAX_UNSOLICITED = 16;

interface Waiter {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

/**
 * The control connection: bytes out, replies in, in order. Replies are handed to waiters in FIFO
 * order; each waiter has its own timeout. The socket is never paused, so ABOR can always be sent
 * and its reply read while a transfer runs.
 */
export class ControlConnection {
  private decoder: ReplyDecoder;
  private readonly waiters: Waiter[] = [];
  private readonly early: Reply[] = [];
  private failure: FtpError | undefined;
  /** The greeting has arrived (a 421 greeting is an answer: too many connections). */
  private greeted = false;
  private onData = (chunk: Buffer): void => this.receive(chunk);

  private constructor(
    public socket: Socket | TLSSocket,
    private readonly opts: ResolvedOptions,
  ) {
    this.decoder = new ReplyDecoder({ maxReplySize: opts.maxReplySize });
    this.attach(socket);
  }

  /** TLS options shared by the control and data connections. */
  static tlsOptions(opts: ResolvedOptions): ConnectionOptions {
    const o: ConnectionOptions = { rejectUnauthorized: !opts.insecure, minVersion: 'TLSv1.2' };
    if (opts.ca !== undefined) o.ca = opts.ca;
    const name = opts.servername ?? (isIP(opts.host) ? undefined : opts.host);
    if (name) o.servername = name;
    return o;
  }

  /** Opens the TCP (or implicit TLS) connection within `connectTimeout`. */
  static async open(opts: ResolvedOptions): Promise<ControlConnection> {
    const socket = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const s: Socket | TLSSocket = opts.secure === 'implicit'
        ? connectTls({ ...ControlConnection.tlsOptions(opts), host: opts.host, port: opts.port })
        : netConnect({ host: opts.host, port: opts.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new FtpTimeoutError('connect', opts.connectTimeout));
      }, opts.connectTimeout);
      s.once(opts.secure === 'implicit' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        // Until the ControlConnection attaches its own listener: an 'error' in between must not crash.
        s.on('error', () => undefined);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(new FtpConnectionError(`cannot connect to ${opts.host}:${opts.port}: ${err.message}`, { cause: err }));
      });
    });
    socket.setNoDelay(true);
    return new ControlConnection(socket, opts);
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.on('data', this.onData);
    socket.on('error', (err) => this.fail(new FtpConnectionError(`control connection error: ${err.message}`, { cause: err })));
    socket.on('close', () => this.fail(new FtpConnectionError('the server closed the control connection')));
  }

  private receive(chunk: Buffer): void {
    let replies: Reply[];
    try {
      replies = this.decoder.push(chunk);
    } catch (err) {
      if (err instanceof ReplyTooLargeError) {
        this.fail(new FtpLimitError('maxReplySize', this.opts.maxReplySize, 'the server sent a reply that is too large'));
      } else {
        this.fail(new FtpProtocolError(`the server sent a malformed reply: ${(err as Error).message}`, { cause: err }));
      }
      this.socket.destroy();
      return;
    }
    for (const r of replies) {
      const greeting = !this.greeted;
      this.greeted = true;
      if (r.code === 421 && !greeting) {
        // RFC 959 §4.2: 421 closes the connection, "a reply to any command if the service knows it
        // must shut down". Whether it answers our command or came unasked (a shutdown, an idle
        // timeout) just before it cannot be told apart: either way this connection is over.
        const reply = new FtpReplyError(r.code, r.text, '');
        this.fail(new FtpConnectionError(`the server closed the control connection: ${reply.message}`, { cause: reply }));
        this.socket.destroy();
        return;
      }
      const w = this.waiters.shift();
      if (w) {
        if (w.timer) clearTimeout(w.timer);
        w.resolve(r);
      } else {
        this.early.push(r);
        if (this.early.length > MAX_UNSOLICITED) {
          this.fail(new FtpLimitError('maxUnsolicitedReplies', MAX_UNSOLICITED, 'the server sent replies nobody asked for'));
          this.socket.destroy();
          return;
        }
      }
    }
  }

  private fail(err: FtpError): void {
    if (this.failure) return;
    this.failure = err;
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /** The error that ended this connection, if it has ended. */
  get closedWith(): FtpError | undefined {
    return this.failure;
  }

  /** Resolves with the next reply in order. `timeoutMs` 0 waits forever. */
  nextReply(timeoutMs = this.opts.replyTimeout): Promise<Reply> {
    const early = this.early.shift();
    if (early) return Promise.resolve(early);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const w: Waiter = { resolve, reject };
      if (timeoutMs > 0) {
        w.timer = setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          const err = new FtpTimeoutError('reply', timeoutMs);
          // Later replies would be matched to the wrong command: this connection is done.
          this.fail(err);
          this.socket.destroy();
          reject(err);
        }, timeoutMs);
      }
      this.waiters.push(w);
    });
  }

  /** The next reply that is not preliminary (1xx), e.g. a transfer's 226 after its 150s. */
  async nextFinal(timeoutMs = this.opts.replyTimeout): Promise<Reply> {
    for (let i = 0; i < 100; i++) {
      const r = await this.nextReply(timeoutMs);
      if (r.code >= 200) return r;
    }
    throw new FtpProtocolError('too many preliminary replies');
  }

  /** Writes a command line (CR/LF/NUL in it throw before anything is sent). */
  send(verb: string, arg?: string): void {
    if (this.failure) throw this.failure;
    this.socket.write(encodeCommand(verb, arg));
  }

  /** Writes raw bytes (TELNET IP/DM before ABOR). */
  writeRaw(bytes: Uint8Array): void {
    if (this.failure) throw this.failure;
    this.socket.write(bytes);
  }

  /** Sends a command and waits for its final reply (1xx replies are skipped). */
  async command(verb: string, arg?: string): Promise<Reply> {
    this.send(verb, arg);
    return await this.nextFinal();
  }

  /** Replaces the socket with TLS over it (after 234 to AUTH TLS). @see RFC 4217 §4 */
  async upgradeTls(): Promise<void> {
    const raw = this.socket;
    raw.removeListener('data', this.onData);
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    // The TLS socket reports failures of the connection; the raw one must not crash the process.
    raw.on('error', () => undefined);
    const t = connectTls({ ...ControlConnection.tlsOptions(this.opts), socket: raw, host: this.opts.host });
    const tls = await tlsHandshake(t, this.opts.connectTimeout, 'TLS handshake failed');
    this.socket = tls;
    this.decoder = new ReplyDecoder({ maxReplySize: this.opts.maxReplySize });
    this.attach(tls);
  }

  /** The session to resume on a data connection. */
  get session(): Buffer | undefined {
    const s = this.socket as TLSSocket;
    return latestSession.get(s) ?? (typeof s.getSession === 'function' ? s.getSession() : undefined);
  }

  get isTls(): boolean {
    return 'encrypted' in this.socket && (this.socket as TLSSocket).encrypted === true;
  }

  /** Closes at once. */
  destroy(): void {
    this.fail(new FtpConnectionError('the client closed the connection'));
    this.socket.destroy();
  }
}
