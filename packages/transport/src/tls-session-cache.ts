import { EventEmitter } from 'node:events';
import type { Server } from 'node:net';

/**
 * A TLS session-ID cache for one control connection and its data connections (RFC 4217 §10.2
 * session reuse for TLS 1.2 clients that resume by session ID, such as curl; tickets need no
 * cache). Node runs server-side session-ID resumption only through a server's 'newSession' and
 * 'resumeSession' events, so this object plays that server for TLSSockets created by hand.
 * Because each control connection has its own cache (and its own ticket keys), a data connection
 * can only resume a session of its own control connection.
 */
export class TlsSessionCache extends EventEmitter {
  readonly #sessions = new Map<string, Buffer>();
  readonly #max: number;

  /** @param max sessions kept (oldest dropped first). Default 32. */
  constructor(max = 32) {
    super();
    this.#max = max;
    this.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      this.#sessions.set(id.toString('hex'), data);
      if (this.#sessions.size > this.#max) {
        const oldest = this.#sessions.keys().next().value;
        if (oldest !== undefined) this.#sessions.delete(oldest);
      }
      done();
    });
    this.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => {
      done(null, this.#sessions.get(id.toString('hex')) ?? null);
    });
  }

  /** Sessions held. */
  get size(): number {
    return this.#sessions.size;
  }

  /** The value for a TLSSocket's `server` option. */
  asServer(): Server {
    return this as unknown as Server;
  }
}
