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

  /** Connects to 127.0.0.1:`port`, from `localAddress` (any 127.x.y.z on Linux) when given. */
  static connect(port: number, localAddress?: string): Promise<RawClient> {
    return RawClient.connectTo(port, '127.0.0.1', localAddress);
  }

  /** Connects to `host`:`port` (e.g. '::1'), from `localAddress` when given. */
  static connectTo(port: number, host: string, localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host, ...(localAddress === undefined ? {} : { localAddress }) }, () => resolve(new RawClient(s)));
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

  /** A passive RETR: the file's bytes, after checking the 150 and 226 replies (each within `timeoutMs`). */
  async retr(path: string, timeoutMs = 10_000): Promise<Buffer> {
    this.send('PASV');
    const pasv = await this.next(timeoutMs);
    if (pasv === undefined) throw new Error('closed after PASV');
    if (pasv.code !== 227) throw new Error(`PASV ${pasv.code}`);
    const { port } = pasvPort(pasv.text);
    const data = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const body = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      data.on('data', (d: Buffer) => chunks.push(d));
      data.on('error', () => undefined);
      data.on('close', () => resolve(Buffer.concat(chunks)));
    });
    this.send(`RETR ${path}`);
    const start = await this.next(timeoutMs);
    if (start === undefined) throw new Error('closed after RETR');
    if (start.code !== 150 && start.code !== 125) {
      data.destroy();
      throw new Error(`RETR ${start.code}`);
    }
    const bytes = await body;
    const end = await this.next(timeoutMs);
    if (end?.code !== 226) throw new Error(`RETR ended ${end?.code}`);
    return bytes;
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
