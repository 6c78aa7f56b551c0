import { encodeCommand, ReplyDecoder, ReplyTooLargeError, type Reply } from '@ftpkit/codec';
import { connectOut, ControlConnection, isIPv4Address, normalizeAddress, secureClientSocket, tlsSessionOf, type TlsClientOptions } from '@ftpkit/transport';
import { FtpConnectionError, FtpLimitError, FtpProtocolError, FtpReplyError, FtpTimeoutError, type FtpError } from '../errors.js';
import type { ResolvedOptions } from './options.js';
import { fromTransport } from './transport-errors.js';

/** At most this many replies nobody asked for are kept; more is a misbehaving server. */
const MAX_UNSOLICITED = 16;

interface Waiter {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

/** How the client checks the server's certificate, for the control and the data connections. */
export function tlsClientOptions(opts: ResolvedOptions): TlsClientOptions {
  return {
    host: opts.host,
    rejectUnauthorized: !opts.insecure,
    ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
    ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
  };
}

/**
 * The client's control channel: commands out, replies in, in order, over a transport
 * {@link ControlConnection}. Replies are handed to waiters in FIFO order; each waiter has its own
 * timeout. The connection is read all the time (never paused), so ABOR can always be sent and its
 * reply read while a transfer runs; the unsolicited-reply cap bounds what that reading keeps.
 */
export class ControlChannel {
  private decoder: ReplyDecoder;
  private readonly waiters: Waiter[] = [];
  private readonly early: Reply[] = [];
  private failure: FtpError | undefined;
  /** The greeting has arrived (a 421 greeting is an answer: too many connections). */
  private greeted = false;
  /** Between AUTH TLS's 234 and the end of the handshake: nothing read then is a reply. */
  private upgrading = false;

  private constructor(
    readonly connection: ControlConnection,
    private readonly opts: ResolvedOptions,
  ) {
    this.decoder = new ReplyDecoder({ maxReplySize: opts.maxReplySize });
    void this.pump();
  }

  /** Opens the TCP (or implicit TLS) connection within `connectTimeout`. */
  static async open(opts: ResolvedOptions): Promise<ControlChannel> {
    const raw = await connectOut({ host: opts.host, port: opts.port, timeoutMs: opts.connectTimeout }).catch((err: unknown) => {
      throw fromTransport(err, `cannot connect to ${opts.host}:${opts.port}`, 'connect', opts.connectTimeout);
    });
    raw.setNoDelay(true);
    if (opts.secure !== 'implicit') return new ControlChannel(new ControlConnection(raw), opts);
    const secure = await secureClientSocket(raw, { ...tlsClientOptions(opts), timeoutMs: opts.connectTimeout }).catch((err: unknown) => {
      raw.destroy();
      throw fromTransport(err, `cannot connect to ${opts.host}:${opts.port}`, 'connect', opts.connectTimeout);
    });
    return new ControlChannel(new ControlConnection(secure), opts);
  }

  /** Reads until the connection ends; every chunk goes to the reply decoder. */
  private async pump(): Promise<void> {
    for (;;) {
      const chunk = await this.connection.read();
      if (chunk === null) break;
      if (!this.upgrading) this.receive(chunk);
    }
    const err = this.connection.error;
    this.fail(err
      ? new FtpConnectionError(`control connection error: ${err.message}`, { cause: err })
      : new FtpConnectionError('the server closed the control connection'));
    this.connection.destroy();
  }

  private receive(chunk: Uint8Array): void {
    let replies: Reply[];
    try {
      replies = this.decoder.push(chunk);
    } catch (err) {
      if (err instanceof ReplyTooLargeError) {
        this.fail(new FtpLimitError('maxReplySize', this.opts.maxReplySize, 'the server sent a reply that is too large'));
      } else {
        this.fail(new FtpProtocolError(`the server sent a malformed reply: ${(err as Error).message}`, { cause: err }));
      }
      this.connection.destroy();
      return;
    }
    for (const r of replies) {
      if (this.failure) return;
      const greeting = !this.greeted;
      this.greeted = true;
      if (r.code === 421 && !greeting) {
        // RFC 959 §4.2: 421 closes the connection, "a reply to any command if the service knows it
        // must shut down". Whether it answers our command or came unasked (a shutdown, an idle
        // timeout) just before it cannot be told apart: either way this connection is over.
        const reply = new FtpReplyError(r.code, r.text, '');
        this.fail(new FtpConnectionError(`the server closed the control connection: ${reply.message}`, { cause: reply }));
        this.connection.destroy();
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
          this.connection.destroy();
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
          this.connection.destroy();
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
    this.connection.write([encodeCommand(verb, arg)]);
  }

  /** Writes raw bytes (TELNET IP/DM before ABOR). */
  writeRaw(bytes: Uint8Array): void {
    if (this.failure) throw this.failure;
    this.connection.write([bytes]);
  }

  /** Sends a command and waits for its final reply (1xx replies are skipped). */
  async command(verb: string, arg?: string): Promise<Reply> {
    this.send(verb, arg);
    return await this.nextFinal();
  }

  /**
   * Switches to TLS after 234 to AUTH TLS. Whatever arrived after the 234 in plaintext is dropped:
   * it would otherwise be read as a protected reply (reply injection). @see RFC 4217 §4
   */
  async upgradeTls(): Promise<void> {
    this.upgrading = true;
    this.early.length = 0;
    try {
      await this.connection.upgradeToTls({
        role: 'client',
        ...tlsClientOptions(this.opts),
        timeoutMs: this.opts.connectTimeout,
        onSecure: () => {
          // Runs before the first protected chunk can be read.
          this.early.length = 0;
          this.decoder = new ReplyDecoder({ maxReplySize: this.opts.maxReplySize });
          this.upgrading = false;
        },
      });
    } catch (err) {
      throw fromTransport(err, 'TLS handshake failed', 'connect', this.opts.connectTimeout);
    }
  }

  /** The session to resume on a data connection. */
  get session(): Buffer | undefined {
    return tlsSessionOf(this.connection.socket);
  }

  /**
   * The server's address as the data connections use it: IPv4-mapped IPv6 as plain IPv4, and
   * whether the control connection runs over IPv6 (PASV cannot work then).
   */
  get peer(): { host: string; family: 4 | 6 } {
    const remote = this.connection.remoteAddress || this.opts.host;
    if (isIPv4Address(remote)) return { host: normalizeAddress(remote), family: 4 };
    return { host: remote, family: remote.includes(':') ? 6 : 4 };
  }

  get isTls(): boolean {
    return this.connection.secure;
  }

  /** Closes at once. */
  destroy(): void {
    this.fail(new FtpConnectionError('the client closed the connection'));
    this.connection.destroy();
  }
}
