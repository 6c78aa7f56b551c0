import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { encodeReply } from '@ftpkit/codec';
import { createServerSession, type SessionConfig } from '@ftpkit/session';
import { capabilitiesOf } from '@ftpkit/storage';
import { defaultPassivePortRange, normalizeAddress } from '@ftpkit/transport';
import { createMemoryBanList, type BanEntry } from './ban-list.js';
import type { LiveSession } from './live-view.js';
import { ConnectionDriver, type DriverContext } from './connection-driver.js';
import { PathLocks } from './path-locks.js';
import { TokenBucket } from './token-bucket.js';
import { measureUsage, QuotaLedger, DEFAULT_DIRECTORY_BYTES } from './quota-ledger.js';
import { FailedUploads } from './failed-uploads.js';
import type { FtpServerEvents } from './events.js';
import { silentLogger } from './logger.js';
import { DEFAULT_LIMITS, type FtpServerOptions, type Limits } from './options.js';
import { parseCidrList, readProxyHeader, type CidrList } from './proxy-protocol.js';
import { PassivePortLedger, passivePortCap } from './passive-port-ledger.js';

/** Options of {@link FtpServer.close}. */
export interface CloseOptions {
  /** How long running transfers may go on before everyone gets 421. Default 10 000 ms. */
  graceMs?: number | undefined;
}

const TOO_MANY = encodeReply(421, 'Too many connections, try again later.');
const TOO_MANY_FROM_IP = encodeReply(421, 'Too many connections from your address.');
const CLOSING = encodeReply(421, 'Service not available, server shutting down.');

function bindServer(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ port, host }, () => {
      server.off('error', onError);
      const a = server.address();
      if (typeof a === 'object' && a !== null) resolve(a);
      else reject(new Error('server has no address'));
    });
  });
}

function refuse(socket: Socket, reply: Uint8Array): void {
  socket.on('error', () => socket.destroy());
  socket.end(reply);
  socket.setTimeout(2_000, () => socket.destroy());
}

/**
 * An FTP server (RFC 959) driving one pure session per control connection. Installs no signal
 * handlers and never exits the process: the host application owns both.
 */
export class FtpServer extends EventEmitter<FtpServerEvents> {
  readonly #options: FtpServerOptions;
  readonly #limits: Limits;
  readonly #ctx: DriverContext;
  readonly #server: Server;
  /** Implicit FTPS listeners (RFC 4217 §2 mentions port 990 as the de-facto convention). */
  readonly #implicitServers: Server[] = [];
  readonly #drivers = new Set<ConnectionDriver>();
  /** Each connection's run, settled once it is fully closed (its transfer ended and cleaned up). */
  readonly #runs = new Set<Promise<void>>();
  /** Connections closed to make room, still finishing their close. */
  readonly #evicted = new Set<ConnectionDriver>();
  readonly #perIp = new Map<string, number>();
  #nextId = 1;
  readonly #userBuckets = new Map<string, TokenBucket>();
  readonly #quotas = new QuotaLedger();
  #closing: Promise<void> | undefined;
  /** Balancers allowed to send a PROXY header; undefined when the protocol is off. */
  readonly #proxyTrusted: CidrList | undefined;

  constructor(options: FtpServerOptions) {
    super();
    this.#options = options;
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    const proxy = options.proxyProtocol;
    if (proxy !== undefined && proxy.mode !== 'off') {
      if (!['v1', 'v2', 'any'].includes(proxy.mode)) throw new RangeError(`proxyProtocol.mode must be off, v1, v2 or any, got ${String(proxy.mode)}`);
      if (proxy.trusted.length === 0) throw new RangeError('proxyProtocol.trusted must name the balancer addresses (CIDRs)');
      this.#proxyTrusted = parseCidrList(proxy.trusted);
    }
    const storage = options.storage;
    // A fixed adapter says what it can do; adapters made per user are described by the caller.
    const can = typeof storage === 'function' ? (options.storageCapabilities ?? {}) : capabilitiesOf(storage);
    const sessionConfig: SessionConfig = {
      capabilities: {
        tls: options.tls !== undefined,
        setMtime: can.setMtime === true,
        chmod: can.chmod === true,
      },
      maxLineLength: this.#limits.maxLineLength,
      requireTls: options.tls?.requireTls === true,
      requireTlsData: options.tls?.requireTlsData === true,
      uploadMode: options.uploadMode ?? 'resumable',
      ...(options.greeting === undefined ? {} : { greeting: options.greeting }),
    };
    const passiveRange = options.passive?.ports ?? defaultPassivePortRange();
    const rangeSize = passiveRange[1] - passiveRange[0] + 1;
    this.#ctx = {
      options,
      limits: this.#limits,
      passivePorts: {
        range: passiveRange,
        ledger: new PassivePortLedger(
          passivePortCap(this.#limits.maxPassivePortsPerUserPercent, rangeSize),
          passivePortCap(this.#limits.maxPassivePortsPerIpPercent, rangeSize),
        ),
      },
      storage,
      authenticate: options.authenticate ?? (() => null),
      logger: options.logger ?? silentLogger,
      now: options.now ?? (() => new Date()),
      banList:
        options.banList ??
        createMemoryBanList({ maxFailures: this.#limits.maxLoginFailuresPerIp, banMs: this.#limits.loginBanMs }),
      pathLocks: new PathLocks(),
      userBucket: (user, direction) => {
        const rate = direction === 'download' ? user.downloadBytesPerSecond : user.uploadBytesPerSecond;
        if (rate === undefined || rate <= 0) return undefined;
        const key = `${direction}:${user.name}:${rate}`;
        let bucket = this.#userBuckets.get(key);
        if (bucket === undefined) {
          bucket = new TokenBucket(rate);
          this.#userBuckets.set(key, bucket);
        }
        return bucket;
      },
      quotaAccount: (user, adapter) => {
        const quota = user.quota;
        // A read-only user never writes: no account, no walk.
        if (quota === undefined || user.readOnly === true) return undefined;
        return this.#quotas.account(user.name, quota, async () => {
          const started = Date.now();
          const bytes = await measureUsage(adapter, quota.directoryBytes ?? DEFAULT_DIRECTORY_BYTES);
          this.#ctx.logger.info({ user: user.name, bytes, ms: Date.now() - started }, 'quota usage measured');
          return bytes;
        });
      },
      failedUploads: new FailedUploads(),
      createSession: (implicitTls) => createServerSession(implicitTls ? { ...sessionConfig, implicitTls: true } : sessionConfig),
      emit: (event, ...args) => {
        // 'error' without a listener would throw from emit(); it is logged instead.
        if (event === 'error' && this.listenerCount('error') === 0) return;
        (this.emit as (name: string, ...values: unknown[]) => boolean)(event, ...args);
      },
    };
    this.#server = createServer({ pauseOnConnect: true, noDelay: true }, (socket) => this.#onConnection(socket, false));
    this.#server.on('error', (err) => this.#ctx.emit('error', err));
  }

  /** The limits in force (defaults merged with the options). */
  get limits(): Readonly<Limits> {
    return this.#limits;
  }

  /** Control connections open now. */
  get connectionCount(): number {
    return this.#drivers.size;
  }

  /** True once `close()` was called: no new connection is accepted, running transfers may finish. */
  get draining(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Every open control connection as an operator sees it now (user, address, directory, running
   * transfer with its bytes). Costs nothing until called; cheap enough to call every second.
   */
  sessions(): LiveSession[] {
    return [...this.#drivers].map((d) => d.snapshot());
  }

  /**
   * End session `id` (a {@link LiveSession.id}): the client gets 421 and its running transfer is
   * cut. False when no such session is open.
   */
  disconnect(id: number): boolean {
    for (const d of this.#drivers) if (d.info.id === id) return d.disconnect();
    return false;
  }

  /** The bans in force (empty when the ban list cannot list them). */
  async bans(): Promise<BanEntry[]> {
    return (await this.#ctx.banList.list?.()) ?? [];
  }

  /** Lift the ban on an address (or IPv6 network key). False when there was none, or the ban list cannot unban. */
  async unban(address: string): Promise<boolean> {
    return (await this.#ctx.banList.unban?.(address)) ?? false;
  }

  /** The bound address, once listening. */
  address(): AddressInfo | undefined {
    const a = this.#server.address();
    return typeof a === 'object' && a !== null ? a : undefined;
  }

  /** Start accepting on `host:port` (default 127.0.0.1; port 0 picks a free one); resolves to the bound address. */
  listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    return bindServer(this.#server, port, host);
  }

  /**
   * Also accept implicit FTPS on `host:port` (TLS from the first byte, usually port 990). Needs
   * the `tls` option. Resolves to the bound address.
   */
  listenImplicitTls(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    if (this.#options.tls === undefined) return Promise.reject(new Error('listenImplicitTls needs the tls option'));
    const server = createServer({ pauseOnConnect: true, noDelay: true }, (socket) => this.#onConnection(socket, true));
    server.on('error', (err) => this.#ctx.emit('error', err));
    this.#implicitServers.push(server);
    return bindServer(server, port, host);
  }

  #onConnection(socket: Socket, implicitTls: boolean): void {
    if (this.#proxyTrusted === undefined) {
      this.#admit(socket, implicitTls, undefined);
      return;
    }
    const via = normalizeAddress(socket.remoteAddress ?? '');
    const log = this.#ctx.logger;
    if (!this.#proxyTrusted.matches(via)) {
      // No reply: a stranger should not learn that a PROXY listener is here.
      log.warn({ ip: via, port: socket.remotePort }, 'refused: PROXY protocol connection from an untrusted address (not in proxyProtocol.trusted)');
      socket.destroy();
      this.#ctx.emit('connection-refused', { remoteAddress: via, reason: 'proxy-untrusted' });
      return;
    }
    const proxy = this.#options.proxyProtocol;
    const mode = proxy?.mode === 'v1' || proxy?.mode === 'v2' ? proxy.mode : 'any';
    socket.on('error', () => socket.destroy());
    readProxyHeader(socket, mode, proxy?.headerTimeoutMs ?? 5_000).then(
      (peer) => {
        if (socket.destroyed) return;
        this.#admit(socket, implicitTls, { address: normalizeAddress(peer.address), port: peer.port });
      },
      (err: unknown) => {
        log.warn(
          { ip: via, port: socket.remotePort, reason: err instanceof Error ? err.message : String(err) },
          'refused: no valid PROXY protocol header',
        );
        socket.destroy();
        this.#ctx.emit('connection-refused', { remoteAddress: via, reason: 'proxy-header' });
      },
    );
  }

  /** A connection whose client is known (the socket's peer, or the one a PROXY header named). */
  #admit(socket: Socket, implicitTls: boolean, peer: { address: string; port: number } | undefined): void {
    const ip = peer?.address ?? normalizeAddress(socket.remoteAddress ?? '');
    const log = (reason: string, msg: string): void => this.#ctx.logger.warn({ ip, port: peer?.port ?? socket.remotePort, reason, code: 421 }, msg);
    if (this.#closing !== undefined) {
      log('closing', 'refused: server shutting down');
      refuse(socket, CLOSING);
      this.#ctx.emit('connection-refused', { remoteAddress: ip, reason: 'closing' });
      return;
    }
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (this.#limits.maxConnectionsPerIp > 0 && fromIp >= this.#limits.maxConnectionsPerIp) {
      log('max-connections-per-ip', 'refused: too many connections from this address');
      refuse(socket, TOO_MANY_FROM_IP);
      this.#ctx.emit('connection-refused', { remoteAddress: ip, reason: 'max-connections-per-ip' });
      return;
    }
    if (this.#drivers.size >= this.#limits.maxConnections) this.#evictOldestAnonymous();
    if (this.#drivers.size >= this.#limits.maxConnections) {
      log('max-connections', 'refused: too many connections');
      refuse(socket, TOO_MANY);
      this.#ctx.emit('connection-refused', { remoteAddress: ip, reason: 'max-connections' });
      return;
    }
    this.#perIp.set(ip, fromIp + 1);
    let driver: ConnectionDriver;
    try {
      driver = new ConnectionDriver(socket, this.#nextId++, this.#ctx, implicitTls, peer);
    } catch (err) {
      socket.destroy();
      this.#release(ip);
      this.#ctx.emit('error', err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.#drivers.add(driver);
    const run = driver.run().finally(() => {
      this.#drivers.delete(driver);
      this.#evicted.delete(driver);
      this.#release(ip);
      this.#runs.delete(run);
    });
    this.#runs.add(run);
  }

  /** Make room by dropping the connection that has waited longest without logging in. */
  #evictOldestAnonymous(): void {
    let oldest: ConnectionDriver | undefined;
    for (const d of this.#drivers) {
      if (!d.loggedIn && !d.evicting && (oldest === undefined || d.startedAt < oldest.startedAt)) oldest = d;
    }
    if (oldest === undefined) return;
    oldest.evict();
    // It leaves the set when its socket closes; count it out now so the new one fits.
    this.#drivers.delete(oldest);
    this.#evicted.add(oldest);
  }

  #release(ip: string): void {
    const n = (this.#perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.#perIp.delete(ip);
    else this.#perIp.set(ip, n);
  }

  /**
   * Stop accepting, let running transfers finish for up to `graceMs`, then send 421 to every
   * connection and close it. Resolves when every connection is gone and every transfer cut by the
   * close has ended (uploads discarded or kept per their mode, 'transfer-end' emitted). Idempotent.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.#closing === undefined) {
      this.#closing = this.#close(options.graceMs ?? 10_000);
      this.#ctx.emit('draining');
    }
    return this.#closing;
  }

  async #close(graceMs: number): Promise<void> {
    const listenerClosed = Promise.all(
      [this.#server, ...this.#implicitServers].map(
        (server) =>
          new Promise<void>((resolve) => {
            if (!server.listening) resolve();
            else server.close(() => resolve());
          }),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    const drivers = [...this.#drivers];
    await Promise.all(drivers.map((d) => d.shutdown(deadline)));
    clearTimeout(timer);
    // Anything still open (a peer that never read its 421) is cut.
    for (const d of [...this.#drivers, ...this.#evicted]) d.destroy();
    // Until every connection has finished closing: an upload cut by the shutdown has then removed
    // its temporary file and reported its 'transfer-end' (bounded: teardown waits at most 5 s).
    await Promise.all([...this.#runs]);
    await listenerClosed;
  }
}

/** Build an FTP server; call `listen(port, host)` to start it. */
export function createFtpServer(options: FtpServerOptions): FtpServer {
  return new FtpServer(options);
}
