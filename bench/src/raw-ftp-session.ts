import { connect, type Socket } from 'node:net';

/** One FTP reply: its code and all of its text lines. */
export interface FtpReply {
  readonly code: number;
  readonly text: string;
}

/** Upper bound on buffered control text: a reply longer than this is a broken server. */
const MAX_REPLY_BYTES = 64 * 1024;

/**
 * A bare-bones FTP control connection for load generation: no parsing beyond reply codes, so the
 * load client itself costs next to nothing per session. Multi-line replies follow RFC 959 §4.2
 * (`ddd-` opens, `ddd ` closes).
 */
export class RawFtpSession {
  private buffered = '';
  private readonly replies: FtpReply[] = [];
  private waiter: ((r: FtpReply | Error) => void) | undefined;
  private failure: Error | undefined;
  private multiCode: string | undefined;
  private multiText: string[] = [];

  private constructor(private readonly socket: Socket, readonly host: string) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => this.onData(d));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('control connection closed')));
  }

  /**
   * Starts connecting; await {@link greeting} next. Returned at once so a caller's timeout can
   * close a connection that never gets its greeting (one left in a full accept queue, say).
   */
  static connect(host: string, port: number): RawFtpSession {
    return new RawFtpSession(connect({ host, port, noDelay: true }), host);
  }

  /** Waits for the greeting (any 2xx). */
  async greeting(): Promise<void> {
    await this.expect(2);
  }

  /** USER + PASS; resolves when logged in. */
  async login(user: string, password: string): Promise<void> {
    const r = await this.command(`USER ${user}`);
    if (r.code === 331) await this.command(`PASS ${password}`, 2);
    else if (Math.floor(r.code / 100) !== 2) throw new Error(`USER: ${r.code} ${r.text}`);
  }

  /** Sends one command line and waits for its final reply, checking its first digit. */
  async command(line: string, want?: number): Promise<FtpReply> {
    this.socket.write(`${line}\r\n`);
    return await this.expect(want);
  }

  /** Waits for the next reply. */
  async expect(want?: number): Promise<FtpReply> {
    const r = await this.next();
    if (want !== undefined && Math.floor(r.code / 100) !== want) throw new Error(`expected ${want}xx, got ${r.code} ${r.text}`);
    return r;
  }

  /**
   * PASV, then the transfer command; resolves with the byte count once both the data connection
   * has ended and the final 226 has arrived, in whichever order they come.
   */
  async transfer(line: string): Promise<number> {
    const pasv = await this.command('PASV', 2);
    const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(pasv.text);
    if (!m) throw new Error(`bad PASV reply: ${pasv.text}`);
    // The control connection's host, never the address in the reply.
    const data = connect({ host: this.host, port: Number(m[5]) * 256 + Number(m[6]) });
    let bytes = 0;
    const ended = new Promise<void>((resolve, reject) => {
      data.on('data', (b: Buffer) => { bytes += b.length; });
      data.on('end', () => resolve());
      data.on('error', reject);
    });
    ended.catch(() => { /* reported below */ });
    await new Promise<void>((resolve, reject) => { data.once('connect', resolve); data.once('error', reject); });
    try {
      await this.command(line, 1);
      await this.expect(2);
      await ended;
    } finally {
      data.destroy();
    }
    return bytes;
  }

  /** QUIT, waiting for 221, then closes. */
  async quit(): Promise<void> {
    try { await this.command('QUIT'); } finally { this.close(); }
  }

  close(): void {
    this.failure ??= new Error('closed');
    this.socket.destroy();
  }

  private next(): Promise<FtpReply> {
    const r = this.replies.shift();
    if (r) return Promise.resolve(r);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = (x) => { if (x instanceof Error) reject(x); else resolve(x); };
    });
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    if (this.buffered.length > MAX_REPLY_BYTES) { this.fail(new Error('reply too long')); return; }
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl).replace(/\r$/, '');
      this.buffered = this.buffered.slice(nl + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    const code = line.slice(0, 3);
    if (this.multiCode !== undefined) {
      this.multiText.push(line);
      if (code === this.multiCode && line[3] === ' ') {
        this.push({ code: Number(code), text: this.multiText.join('\n') });
        this.multiCode = undefined;
        this.multiText = [];
      }
      return;
    }
    if (/^\d{3}-/.test(line)) { this.multiCode = code; this.multiText = [line]; return; }
    if (/^\d{3}( |$)/.test(line)) this.push({ code: Number(code), text: line });
  }

  private push(r: FtpReply): void {
    const w = this.waiter;
    if (w) { this.waiter = undefined; w(r); } else this.replies.push(r);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiter;
    if (w) { this.waiter = undefined; w(this.failure); }
  }
}
