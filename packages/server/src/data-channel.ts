import { BlockList, isIPv6, type Socket } from 'node:net';
import { DataChannelError } from '@ftpkit/codec';
import {
  checkActiveTarget,
  connectActive,
  isIPv4Address,
  defaultPassivePortRange,
  listenPassive,
  normalizeAddress,
  resolvePublicAddress,
  secureDataSocket,
  SocketReceiver,
  type ControlConnection,
  type PassiveListener,
  type PassiveRejectReason,
  type TlsSessionCache,
  type TlsSessionReuse,
  watchStall,
} from '@ftpkit/transport';
import type { SecureContext } from 'node:tls';
import type { ActiveOptions, PassiveOptions } from './options.js';

/** 0.0.0.0 and :: in every spelling (BlockList parses the address, so 0:0::0 matches too). */
const UNSPECIFIED = new BlockList();
UNSPECIFIED.addAddress('0.0.0.0', 'ipv4');
UNSPECIFIED.addAddress('::', 'ipv6');

/**
 * The PORT/EPRT target host to use: the unspecified address (0.0.0.0, ::; lftp sends
 * `EPRT |2|::|port|` in active mode over IPv6) means the control connection's peer, the only
 * address it could safely name. Every other address is returned as given for the anti-bounce check.
 */
export function activeTargetHost(host: string, controlPeer: string): string {
  const plain = normalizeAddress(host);
  return UNSPECIFIED.check(plain, isIPv6(plain) ? 'ipv6' : 'ipv4') ? controlPeer : host;
}

/** What a data channel needs from its connection. */
export interface DataChannelDeps {
  control: ControlConnection;
  passive: PassiveOptions;
  active: ActiveOptions;
  dataTimeoutMs: number;
  /** A passive data connection was dropped: from another address, or racing the first one. */
  onHijackAttempt: (remoteAddress: string, remotePort: number, reason: PassiveRejectReason) => void;
  /**
   * Take one passive port from the user's and the address's share, for a session waiting for a
   * data connection since `waitingSince` (ms since the epoch): a release function, or why not
   * (the PASV/EPSV then fails with DataChannelError('refused'), 425).
   */
  holdPassivePort: (waitingSince: number) => (() => void) | string;
  /** The connection's TLS settings for PROT P data connections; undefined without TLS. */
  tls: () =>
    | { secureContext: SecureContext; sessionCache: TlsSessionCache; sessionReuse: TlsSessionReuse; timeoutMs: number }
    | undefined;
}

/**
 * The data-connection side of one control connection: at most one prepared channel (a passive
 * listener or an active target) and at most one open data socket. Opening and transferring share
 * one AbortController so ABOR (or the connection ending) stops either. Under TLS reuse `prefer`,
 * once the client resumed its session on a data connection, it must resume on every later one.
 */
export class DataChannel {
  readonly #deps: DataChannelDeps;
  #listener: PassiveListener | undefined;
  #activeTarget: { host: string; port: number } | undefined;
  #socket: Socket | undefined;
  /** An upload's reader of an active connection (set up while connecting). */
  #receiver: SocketReceiver | undefined;
  #op: AbortController | undefined;
  /** Closes a passive listener nobody connected to within the data timeout, freeing its port. */
  #expiry: NodeJS.Timeout | undefined;
  /** The open socket still needs its TLS handshake (done after the 150 reply, see `takeForTransfer`). */
  #secure = false;
  /** Stops the stall watch of the open socket. */
  #unwatch: (() => void) | undefined;
  /** A data connection resumed the control connection's TLS session: `prefer` now means `require`. */
  #resumed = false;
  /**
   * Since when this session has held passive ports without a transfer taking a connection from
   * one: a new PASV replacing an unused listener keeps the date, so asking again and again does
   * not look like a fresh request to the port caps.
   */
  #waitingSince: number | undefined;
  /** Bumped by every `close`, so a PASV still binding when it is replaced or ended drops its listener. */
  #generation = 0;

  constructor(deps: DataChannelDeps) {
    this.#deps = deps;
  }

  /** PASV/EPSV: a new listener (replacing any prepared channel); the host and port to announce. */
  async preparePassive(extended: boolean): Promise<{ host: string; port: number }> {
    this.close();
    const generation = this.#generation;
    const { control, passive } = this.#deps;
    this.#waitingSince ??= Date.now();
    const hold = this.#deps.holdPassivePort(this.#waitingSince);
    if (typeof hold === 'string') throw new DataChannelError('refused', `passive port cap reached (${hold})`);
    const controlPeer = control.remoteAddress;
    let listener: PassiveListener;
    try {
      listener = await listenPassive({
        host: passive.host ?? control.localAddress,
        controlPeer,
        portRange: passive.ports ?? defaultPassivePortRange(),
        onRejected: this.#deps.onHijackAttempt,
        onClose: hold,
      });
    } catch (err) {
      hold();
      throw err;
    }
    if (generation !== this.#generation) {
      // Replaced or ended while binding: this listener was never announced.
      listener.close();
      throw new DataChannelError('reset', 'passive listener replaced');
    }
    this.#listener = listener;
    this.#expiry = setTimeout(() => {
      if (this.#listener === listener) {
        this.#listener = undefined;
        listener.close();
      }
    }, this.#deps.dataTimeoutMs);
    this.#expiry.unref();
    let host = normalizeAddress(await resolvePublicAddress(passive.publicAddress, normalizeAddress(controlPeer), control.localAddress));
    if (!extended && !isIPv4Address(host) && isIPv4Address(listener.host)) host = normalizeAddress(listener.host);
    return { host, port: listener.port };
  }

  /**
   * PORT/EPRT: check the target now (anti-bounce, RFC 2577) and remember it. The unspecified
   * address stands for the control peer (see {@link activeTargetHost}).
   */
  prepareActive(target: string, port: number): void {
    const host = activeTargetHost(target, this.#deps.control.remoteAddress);
    const bad = checkActiveTarget(host, port, this.#deps.control.remoteAddress);
    if (bad !== undefined) throw bad;
    this.close();
    this.#activeTarget = { host, port };
  }

  /**
   * Establish the prepared data connection: accept on the listener, or connect to the target.
   * `receive` (an upload): an active connection then reads into a {@link SocketReceiver}'s
   * buffers from its first byte (Node's `onread` exists only for sockets it connects).
   */
  async open(secure: boolean, receive = false): Promise<void> {
    if (secure && this.#deps.tls() === undefined) {
      this.close();
      throw new DataChannelError('tls', 'TLS on data connections is not configured');
    }
    this.#destroySocket();
    this.#secure = secure;
    const op = new AbortController();
    this.#op = op;
    const { dataTimeoutMs, control } = this.#deps;
    const listener = this.#listener;
    const target = this.#activeTarget;
    this.#activeTarget = undefined;
    let socket: Socket;
    let receiver: SocketReceiver | undefined;
    clearTimeout(this.#expiry);
    if (listener !== undefined) {
      this.#listener = undefined;
      try {
        socket = await listener.accept(dataTimeoutMs, op.signal);
        this.#waitingSince = undefined;
      } finally {
        listener.close();
      }
    } else if (target !== undefined) {
      if (receive && !secure) receiver = new SocketReceiver();
      const sourcePort = this.#deps.active.sourcePortMinusOne === true && control.localPort > 1 ? control.localPort - 1 : undefined;
      socket = await connectActive({
        host: target.host,
        port: target.port,
        controlPeer: control.remoteAddress,
        localAddress: control.localAddress,
        ...(sourcePort === undefined ? {} : { sourcePort }),
        timeoutMs: dataTimeoutMs,
        signal: op.signal,
        ...(receiver === undefined ? {} : { onread: receiver.onread }),
      });
    } else {
      throw new DataChannelError('not-prepared', 'no PASV/PORT before the transfer');
    }
    if (op.signal.aborted) {
      socket.destroy();
      throw new DataChannelError('reset', 'aborted');
    }
    socket.setNoDelay(false);
    this.#socket = socket;
    this.#receiver = receiver?.attach(socket);
    // A transfer that stalls longer than the data timeout is dropped; it broke, so 426, not 425.
    this.#unwatch = watchStall(() => this.#socket, dataTimeoutMs, () => {
      const stalled = new DataChannelError('reset', 'data connection stalled');
      this.#socket?.destroy(stalled);
      socket.destroy(stalled);
    });
  }

  /**
   * The open data socket and the signal of the current operation; throws when none is open.
   * Under PROT P the TLS handshake happens here, after the 150 reply: clients such as curl start
   * it only once they saw 150, so doing it while opening would deadlock.
   */
  async takeForTransfer(): Promise<{ socket: Socket; signal: AbortSignal; receiver?: SocketReceiver }> {
    const socket = this.#socket;
    const op = this.#op;
    const receiver = this.#receiver;
    this.#receiver = undefined;
    if (socket === undefined || op === undefined || socket.destroyed) {
      throw new DataChannelError('not-prepared', 'no open data connection');
    }
    if (!this.#secure) return { socket, signal: op.signal, ...(receiver === undefined ? {} : { receiver }) };
    const tls = this.#deps.tls();
    if (tls === undefined) throw new DataChannelError('tls', 'TLS on data connections is not configured');
    this.#secure = false;
    const sessionReuse = tls.sessionReuse === 'prefer' && this.#resumed ? 'require' : tls.sessionReuse;
    const secure = await secureDataSocket(socket, { ...tls, sessionReuse, signal: op.signal });
    if (secure.isSessionReused()) this.#resumed = true;
    this.#socket = secure;
    return { socket: secure, signal: op.signal };
  }

  /** The transfer is over: close its socket and forget the operation. */
  finish(): void {
    this.#destroySocket();
    this.#op = undefined;
  }

  /** ABOR or connection end: stop the accept/connect or the transfer now. */
  abort(): void {
    this.#op?.abort(new DataChannelError('reset', 'aborted'));
    this.#destroySocket();
  }

  /** Drop everything prepared or open (REIN, a new PASV/PORT, connection end). */
  close(): void {
    this.#generation++;
    clearTimeout(this.#expiry);
    this.#listener?.close();
    this.#listener = undefined;
    this.#activeTarget = undefined;
    this.abort();
    this.#op = undefined;
  }

  #destroySocket(): void {
    this.#receiver = undefined;
    this.#unwatch?.();
    this.#unwatch = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined && !socket.destroyed) socket.destroy();
  }
}
