import { connect, type Socket } from 'node:net';
import { ReplyDecoder, type Reply } from '@ftpkit/codec';

/** A reply that was not the one expected; the load test counts it as a failure. */
export class UnexpectedReplyError extends Error {
  override readonly name = 'UnexpectedReplyError';
  constructor(
    readonly command: string,
    readonly reply: Reply | undefined,
  ) {
    super(`${command}: ${reply === undefined ? 'connection closed' : `${reply.code} ${reply.text}`}`);
  }
}

function openSocket(port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    const timer = setTimeout(() => socket.destroy(new Error(`connect to ${port} timed out`)), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The bytes a data connection delivered, once the peer closed it. */
function readAll(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

function writeAll(socket: Socket, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.end(data, () => resolve());
  });
}

/**
 * A plain FTP control connection on raw sockets (EPSV data connections), so the load test times
 * each command itself and checks every reply code; no client library sits between it and the
 * server's behaviour.
 */
export class FtpConnection {
  readonly #socket: Socket;
  readonly #decoder = new ReplyDecoder();
  readonly #queue: Reply[] = [];
  #waiters: Array<{ resolve: (r: Reply | undefined) => void; timer: NodeJS.Timeout }> = [];
  #closed = false;
  readonly #timeoutMs: number;

  private constructor(socket: Socket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.on('data', (chunk: Buffer) => {
      let replies: Reply[];
      try {
        replies = this.#decoder.push(chunk);
      } catch (err) {
        socket.destroy(err as Error);
        return;
      }
      for (const r of replies) {
        const w = this.#waiters.shift();
        if (w !== undefined) {
          clearTimeout(w.timer);
          w.resolve(r);
        } else this.#queue.push(r);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#closed = true;
      for (const w of this.#waiters.splice(0)) {
        clearTimeout(w.timer);
        w.resolve(undefined);
      }
    });
  }

  /** Connect and read the greeting (220). */
  static async open(port: number, timeoutMs = 30_000): Promise<FtpConnection> {
    const c = new FtpConnection(await openSocket(port, timeoutMs), timeoutMs);
    try {
      await c.expect('greeting', [220]);
    } catch (err) {
      c.destroy();
      throw err;
    }
    return c;
  }

  /** The next reply, undefined once the connection closed. Rejects after the timeout. */
  next(): Promise<Reply | undefined> {
    const q = this.#queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.timer !== timer);
        reject(new Error(`no reply within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#waiters.push({ resolve, timer });
    });
  }

  /** Wait for the next reply and insist on one of `codes`. */
  async expect(what: string, codes: readonly number[]): Promise<Reply> {
    const r = await this.next();
    if (r === undefined || !codes.includes(r.code)) throw new UnexpectedReplyError(what, r);
    return r;
  }

  send(line: string): void {
    this.#socket.write(`${line}\r\n`);
  }

  /** Send a command and insist on one of `codes`. */
  async command(line: string, codes: readonly number[]): Promise<Reply> {
    this.send(line);
    return this.expect(line.startsWith('PASS ') ? 'PASS' : line, codes);
  }

  async login(user: string, password: string): Promise<void> {
    await this.command(`USER ${user}`, [331]);
    await this.command(`PASS ${password}`, [230]);
    await this.command('TYPE I', [200]);
  }

  async #passive(): Promise<Socket> {
    const r = await this.command('EPSV', [229]);
    const m = /\(\|\|\|(\d+)\|\)/.exec(r.text);
    if (m === null) throw new UnexpectedReplyError('EPSV', r);
    return openSocket(Number(m[1]), this.#timeoutMs);
  }

  /** STOR/APPE (optionally after REST): send `data`, expect 150 then 226. */
  async upload(command: string, data: Uint8Array, rest?: number): Promise<void> {
    const socket = await this.#passive();
    try {
      if (rest !== undefined) await this.command(`REST ${rest}`, [350]);
      await this.command(command, [150, 125]);
      await writeAll(socket, data);
      await this.expect(command, [226, 250]);
    } finally {
      socket.destroy();
    }
  }

  /** RETR/LIST/MLSD (optionally after REST): the bytes received, after 150 and 226. */
  async download(command: string, rest?: number): Promise<Buffer> {
    const socket = await this.#passive();
    try {
      if (rest !== undefined) await this.command(`REST ${rest}`, [350]);
      const bytes = readAll(socket);
      bytes.catch(() => undefined);
      await this.command(command, [150, 125]);
      const data = await bytes;
      await this.expect(command, [226, 250]);
      return data;
    } finally {
      socket.destroy();
    }
  }

  /** QUIT (221) and wait for the server to close. */
  async quit(): Promise<void> {
    await this.command('QUIT', [221]);
    if (!this.#closed) await new Promise((r) => this.#socket.once('close', r));
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
