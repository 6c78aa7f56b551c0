import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ReplyDecoder, type Reply } from '@ftpkit/codec';

/** A minimal control-connection client for tests: send lines, await replies in order. */
export class RawClient {
  readonly socket: Socket;
  readonly #decoder = new ReplyDecoder();
  readonly #queue: Reply[] = [];
  #waiters: Array<(r: Reply | undefined) => void> = [];
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const r of this.#decoder.push(chunk)) {
        const w = this.#waiters.shift();
        if (w) w(r);
        else this.#queue.push(r);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w(undefined);
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** The next reply (undefined once closed), within `timeoutMs`. */
  next(timeoutMs = 10_000): Promise<Reply | undefined> {
    const q = this.#queue.shift();
    if (q) return Promise.resolve(q);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply in time')), timeoutMs);
      this.#waiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  async cmd(line: string): Promise<Reply> {
    this.send(line);
    const r = await this.next();
    if (!r) throw new Error(`closed after ${line}`);
    return r;
  }

  async login(user: string, pass: string): Promise<void> {
    const greeting = await this.next();
    if (greeting?.code !== 220) throw new Error(`greeting ${greeting?.code}`);
    await this.cmd(`USER ${user}`);
    const r = await this.cmd(`PASS ${pass}`);
    if (r.code !== 230) throw new Error(`login ${r.code}`);
  }

  /**
   * AUTH TLS (RFC 4217 §4): a client over the TLS socket, whose latest TLS session (for resuming
   * on data connections) is kept in `session`. This client must not be used afterwards.
   */
  async startTls(): Promise<RawClient & { tls: TLSSocket; session: () => Buffer | undefined }> {
    const r = await this.cmd('AUTH TLS');
    if (r.code !== 234) throw new Error(`AUTH TLS ${r.code}`);
    this.socket.removeAllListeners('data');
    const secure = tlsConnect({ socket: this.socket, rejectUnauthorized: false });
    let session: Buffer | undefined;
    secure.on('session', (s: Buffer) => (session = s));
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    return Object.assign(new RawClient(secure), { tls: secure, session: () => session });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Port from a 227 reply text. */
export function pasvPort(text: string): { host: string; port: number } {
  const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(text);
  if (!m) throw new Error(`bad 227: ${text}`);
  const n = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return { host: n.slice(0, 4).join('.'), port: n[4] * 256 + n[5] };
}
