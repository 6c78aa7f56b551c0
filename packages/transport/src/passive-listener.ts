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
  /** Told about every connection dropped because it came from another address. */
  onRejected?: (remoteAddress: string, remotePort: number) => void;
}

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

/**
 * A passive-mode data listener (PASV/EPSV, RFC 959 §4.1.2, RFC 2428 §3): exactly one data
 * connection from the control peer is handed out, whether it arrives before or after the
 * transfer command. Connections from any other address are destroyed and do not consume the
 * listener (RFC 2577 §5 "theft"). No polling: `accept` waits on the 'connection' event.
 */
export class PassiveListener {
  readonly host: string;
  readonly port: number;
  readonly #server: Server;
  readonly #controlPeer: string;
  readonly #onRejected: ((address: string, port: number) => void) | undefined;
  readonly #release: () => void;
  #ready: Socket | undefined;
  #waiter: ((socket: Socket) => void) | undefined;
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
    this.#release = release;
    server.on('connection', (socket) => this.#onConnection(socket));
    // A listener error after bind (e.g. EMFILE on accept) must not crash the process.
    server.on('error', () => this.close());
  }

  /** Connections dropped so far because they came from another address. */
  get rejected(): number {
    return this.#rejected;
  }

  /** True once closed (explicitly, by abort, or after handing out its connection). */
  get closed(): boolean {
    return this.#closed;
  }

  #onConnection(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    if (!sameAddress(socket.remoteAddress, this.#controlPeer)) {
      this.#rejected++;
      this.#onRejected?.(socket.remoteAddress ?? '?', socket.remotePort ?? 0);
      socket.destroy();
      return;
    }
    if (this.#claimed || this.#ready !== undefined) {
      // One data connection per PASV; a second one is surplus.
      socket.destroy();
      return;
    }
    // Keep the early connection until the transfer command asks for it; reading stays paused
    // because nobody consumes it yet.
    socket.pause();
    this.#ready = socket;
    socket.once('close', () => {
      if (this.#ready === socket) this.#ready = undefined;
    });
    const waiter = this.#waiter;
    if (waiter !== undefined) waiter(socket);
  }

  /**
   * The data connection from the control peer: at once when it already arrived, otherwise on the
   * next one. Rejects with DataChannelError('timeout') after `timeoutMs`, and ('reset') when
   * `signal` aborts or the listener closes. The listener closes after handing out its connection.
   */
  accept(timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
    if (this.#claimed) return Promise.reject(new DataChannelError('not-prepared', 'passive connection already used'));
    if (this.#ready !== undefined) return Promise.resolve(this.#take(this.#ready));
    if (this.#closed) return Promise.reject(new DataChannelError('not-prepared', 'passive listener closed'));
    if (signal?.aborted === true) return Promise.reject(new DataChannelError('reset', 'aborted', { cause: signal.reason }));
    if (this.#waiter !== undefined) return Promise.reject(new DataChannelError('not-prepared', 'accept already waiting'));
    return new Promise<Socket>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#server.off('close', onClose);
        this.#waiter = undefined;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new DataChannelError('timeout', `no data connection within ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = (): void => {
        cleanup();
        reject(new DataChannelError('reset', 'aborted', { cause: signal?.reason }));
      };
      const onClose = (): void => {
        if (this.#claimed) return;
        cleanup();
        reject(new DataChannelError('reset', 'passive listener closed'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#server.once('close', onClose);
      this.#waiter = (socket) => {
        cleanup();
        resolve(this.#take(socket));
      };
    });
  }

  #take(socket: Socket): Socket {
    this.#claimed = true;
    this.#ready = undefined;
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
  }
}

/**
 * Open a passive listener on `host`, on a free port of `portRange` (or an ephemeral one). Fails
 * with DataChannelError('refused') when no port of the range can be bound.
 */
export async function listenPassive(options: ListenPassiveOptions): Promise<PassiveListener> {
  const { host, signal } = options;
  if (signal?.aborted === true) throw new DataChannelError('reset', 'aborted', { cause: signal.reason });
  const allocator = options.portRange === undefined ? undefined : allocatorFor(options.portRange);
  const attempts = allocator === undefined ? 1 : allocator.size;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = allocator === undefined ? 0 : allocator.reserve();
    if (port === undefined) break;
    const server = createServer({ pauseOnConnect: true });
    try {
      await bind(server, host, port);
    } catch (err) {
      if (allocator !== undefined) allocator.release(port);
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
  throw new DataChannelError('refused', 'no free passive port', { cause: lastError });
}
