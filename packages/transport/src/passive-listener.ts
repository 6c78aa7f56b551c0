import { createServer, type Server, type Socket } from 'node:net';
import { DataChannelError } from '@ftpkit/codec';
import { sameAddress } from './peer-address.js';
import { PortAllocator } from './port-allocator.js';

/** Options of {@link listenPassive}. */
export interface ListenPassiveOptions {
  /** Local address to bind (the control connection's local address, usually). */
  host: string;
  /** Remote address of the control connection: the only peer allowed to connect (anti-hijack). */
  controlPeer: string;
  /**
   * Inclusive port range, or an allocator shared by the caller. Ranges given as a tuple share one
   * process-wide allocator per range. Undefined: an ephemeral port chosen by the kernel.
   */
  portRange?: readonly [number, number] | PortAllocator;
  /** Closes the listener (and any unclaimed connection) when aborted. */
  signal?: AbortSignal;
  /**
   * Told about every connection dropped: from another address (`foreign-address`), or a second
   * one from the control peer that reached the listener before it closed (`second-connection`).
   */
  onRejected?: (remoteAddress: string, remotePort: number, reason: PassiveRejectReason) => void;
  /** Called once when the listener stops listening and its port is free again. */
  onClose?: () => void;
}

/** Why a passive listener dropped a connection. */
export type PassiveRejectReason = 'foreign-address' | 'second-connection';

const sharedAllocators = new Map<string, PortAllocator>();

function allocatorFor(range: readonly [number, number] | PortAllocator): PortAllocator {
  if (range instanceof PortAllocator) return range;
  const key = `${range[0]}-${range[1]}`;
  let allocator = sharedAllocators.get(key);
  if (allocator === undefined) {
    allocator = new PortAllocator(range);
    sharedAllocators.set(key, allocator);
  }
  return allocator;
}

function bind(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

const RACED = 'two data connections from the client address raced for one passive port';

/**
 * A passive-mode data listener (PASV/EPSV, RFC 959 §4.1.2, RFC 2428 §3): exactly one data
 * connection from the control peer is handed out, whether it arrives before or after the
 * transfer command. Connections from any other address are destroyed and do not consume the
 * listener (RFC 2577 §5 "theft"). No polling: `accept` waits on the 'connection' event.
 *
 * Theft from the client's own address (another user or program on the same host, or behind the
 * same NAT): only the first connection from the control peer is kept. A second one means two
 * parties raced for the port and nobody can tell which is the client, so neither gets it: both
 * are dropped, reported to `onRejected`, and `accept` fails with 'refused' (the transfer gets 425,
 * the racer gets no byte). The port keeps listening until the connection is handed out, and the
 * hand-out waits for one more accept turn, because Node accepts one connection per turn of the
 * event loop: closing earlier would make the kernel reset the client's completed connection
 * unseen, and the client would then send its transfer command for the racer's connection. Once
 * handed out, the listener closes: later attempts are refused by the kernel.
 */
export class PassiveListener {
  readonly host: string;
  readonly port: number;
  readonly #server: Server;
  readonly #controlPeer: string;
  readonly #onRejected: ListenPassiveOptions['onRejected'];
  readonly #release: () => void;
  /** The first connection from the control peer, until handed out. */
  #ready: Socket | undefined;
  /** Told about every change an `accept` in progress waits for. */
  #waiter: (() => void) | undefined;
  /** The first connection from the control peer arrived. */
  #taken = false;
  /** Two connections from the control peer raced for this listener: it hands out none. */
  #contested = false;
  #claimed = false;
  #closed = false;
  #rejected = 0;

  /** @internal use {@link listenPassive} */
  constructor(server: Server, host: string, port: number, options: ListenPassiveOptions, release: () => void) {
    this.#server = server;
    this.host = host;
    this.port = port;
    this.#controlPeer = options.controlPeer;
    this.#onRejected = options.onRejected;
    this.#release = () => {
      release();
      options.onClose?.();
    };
    server.on('connection', (socket) => this.#onConnection(socket));
    // A listener error after bind (e.g. EMFILE on accept) must not crash the process.
    server.on('error', () => this.close());
  }

  /** Connections dropped so far (from another address, or racing the first one). */
  get rejected(): number {
    return this.#rejected;
  }

  /** True once closed (explicitly, by abort, or after handing out its connection). */
  get closed(): boolean {
    return this.#closed;
  }

  #reject(socket: Socket, reason: PassiveRejectReason): void {
    this.#rejected++;
    this.#onRejected?.(socket.remoteAddress ?? '?', socket.remotePort ?? 0, reason);
    socket.destroy();
  }

  #onConnection(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    if (!sameAddress(socket.remoteAddress, this.#controlPeer)) {
      this.#reject(socket, 'foreign-address');
      return;
    }
    if (this.#taken) {
      this.#reject(socket, 'second-connection');
      if (!this.#claimed) {
        this.#contested = true;
        this.#ready?.destroy();
        this.#ready = undefined;
        this.#waiter?.();
      }
      return;
    }
    this.#taken = true;
    // Keep the early connection until the transfer command asks for it; reading stays paused
    // because nobody consumes it yet.
    socket.pause();
    this.#ready = socket;
    socket.once('close', () => {
      if (this.#ready !== socket) return;
      this.#ready = undefined;
      this.#waiter?.();
    });
    this.#waiter?.();
  }

  /**
   * The data connection from the control peer: once it arrived and the listener had one more
   * accept turn without a racing connection. Rejects with DataChannelError('timeout') after
   * `timeoutMs`, ('refused') when two connections raced, and ('reset') when `signal` aborts, the
   * listener closes or the connection closed before it was asked for. The listener closes after
   * handing out its connection.
   */
  accept(timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
    if (this.#claimed) return Promise.reject(new DataChannelError('not-prepared', 'passive connection already used'));
    if (this.#closed) return Promise.reject(new DataChannelError('not-prepared', 'passive listener closed'));
    if (signal?.aborted === true) return Promise.reject(new DataChannelError('reset', 'aborted', { cause: signal.reason }));
    if (this.#waiter !== undefined) return Promise.reject(new DataChannelError('not-prepared', 'accept already waiting'));
    return new Promise<Socket>((resolve, reject) => {
      let settled = false;
      let turn: NodeJS.Immediate | undefined;
      const finish = (result: Socket | DataChannelError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearImmediate(turn);
        signal?.removeEventListener('abort', onAbort);
        this.#waiter = undefined;
        if (result instanceof DataChannelError) reject(result);
        else resolve(result);
      };
      const timer = setTimeout(() => finish(new DataChannelError('timeout', `no data connection within ${timeoutMs} ms`)), timeoutMs);
      const onAbort = (): void => finish(new DataChannelError('reset', 'aborted', { cause: signal?.reason }));
      const decide = (): void => {
        turn = undefined;
        const socket = this.#ready;
        if (this.#contested) finish(new DataChannelError('refused', RACED));
        else if (socket !== undefined) finish(this.#take(socket));
        else check();
      };
      const check = (): void => {
        if (this.#contested) finish(new DataChannelError('refused', RACED));
        else if (this.#closed) finish(new DataChannelError('reset', 'passive listener closed'));
        else if (this.#ready === undefined && this.#taken) finish(new DataChannelError('reset', 'data connection closed before the transfer'));
        // Two immediates: the first runs after this turn's poll, the second after the next
        // one, in which a connection the kernel had already completed is accepted.
        else if (this.#ready !== undefined && turn === undefined) turn = setImmediate(() => (turn = setImmediate(decide)));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiter = check;
      check();
    });
  }

  #take(socket: Socket): Socket {
    this.#claimed = true;
    this.#ready = undefined;
    this.#waiter = undefined;
    this.close();
    return socket;
  }

  /** Stop listening, drop an unclaimed connection, give the port back. Idempotent. */
  close(): void {
    if (this.#ready !== undefined) {
      this.#ready.destroy();
      this.#ready = undefined;
    }
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close(() => undefined);
    this.#release();
    this.#waiter?.();
  }
}

/**
 * Open a passive listener on `host`, on a free port of `portRange` chosen at random (or an
 * ephemeral one). Fails with DataChannelError('refused') when no port of the range can be bound.
 */
export async function listenPassive(options: ListenPassiveOptions): Promise<PassiveListener> {
  const { host, signal } = options;
  if (signal?.aborted === true) throw new DataChannelError('reset', 'aborted', { cause: signal.reason });
  const allocator = options.portRange === undefined ? undefined : allocatorFor(options.portRange);
  const attempts = allocator === undefined ? 1 : allocator.size;
  // Ports another program holds stay reserved until this call ends, so no draw repeats them.
  const busy: number[] = [];
  let lastError: unknown;
  try {
    for (let i = 0; i < attempts; i++) {
      const port = allocator === undefined ? 0 : allocator.reserve();
      if (port === undefined) break;
      const server = createServer({ pauseOnConnect: true });
      try {
        await bind(server, host, port);
      } catch (err) {
        if (allocator !== undefined) busy.push(port);
        server.close(() => undefined);
        lastError = err;
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES') continue;
        throw new DataChannelError('refused', `cannot listen on ${host}`, { cause: err });
      }
      const address = server.address();
      const boundPort = typeof address === 'object' && address !== null ? address.port : port;
      const listener = new PassiveListener(server, host, boundPort, options, () => allocator?.release(port));
      if (signal !== undefined) {
        if (signal.aborted) listener.close();
        else signal.addEventListener('abort', () => listener.close(), { once: true });
      }
      return listener;
    }
  } finally {
    for (const port of busy) allocator?.release(port);
  }
  throw new DataChannelError('refused', 'no free passive port', { cause: lastError });
}
