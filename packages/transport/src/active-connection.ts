import type { Socket } from 'node:net';
import { DataChannelError } from '@ftpkit/codec';
import { connectOut, isBindFailure } from './connect-out.js';
import { sameAddress } from './peer-address.js';
import type { OnReadOption, SocketReceiver } from './socket-receiver.js';

/** Lowest port a PORT/EPRT may name: privileged ports are refused (RFC 2577 §3). */
export const MIN_ACTIVE_PORT = 1024;

/**
 * The anti-bounce check for a PORT/EPRT target (RFC 2577 §3): the target must be the control
 * peer's own address and an unprivileged port. Returns the error to report, or undefined when
 * the target is acceptable.
 */
export function checkActiveTarget(host: string, port: number, controlPeer: string): DataChannelError | undefined {
  if (!sameAddress(host, controlPeer)) {
    return new DataChannelError('peer-mismatch', `active target ${host} is not the control peer`);
  }
  if (!Number.isInteger(port) || port < MIN_ACTIVE_PORT || port > 65535) {
    return new DataChannelError('refused', `active target port ${port} refused`);
  }
  return undefined;
}

/** Options of {@link connectActive}. */
export interface ConnectActiveOptions {
  host: string;
  port: number;
  /** Remote address of the control connection (anti-bounce). */
  controlPeer: string;
  /** Local address to connect from (the control connection's local address). */
  localAddress?: string;
  /**
   * Source port (RFC 959 §3.2 "L-1", port 20 for 21). When it cannot be bound (no privilege, or
   * in use) the kernel's choice is used instead.
   */
  sourcePort?: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Node's `onread` (read into the caller's buffers, e.g. a {@link SocketReceiver}'s). */
  onread?: OnReadOption;
}

/**
 * Connect to a PORT/EPRT target (active mode, RFC 959 §3.3). Refuses, without connecting, a target
 * other than the control peer (DataChannelError 'peer-mismatch') or a port below 1024 ('refused').
 * Timeouts reject with 'timeout', a refused connection with 'refused'.
 */
export async function connectActive(options: ConnectActiveOptions): Promise<Socket> {
  const bad = checkActiveTarget(options.host, options.port, options.controlPeer);
  if (bad !== undefined) throw bad;
  if (options.signal?.aborted === true) throw new DataChannelError('reset', 'aborted', { cause: options.signal.reason });
  const { host, port, localAddress, sourcePort, timeoutMs, signal } = options;
  const attempt = (localPort: number | undefined): Promise<Socket> =>
    connectOut({ host, port, localAddress, localPort, timeoutMs, signal, onread: options.onread, label: 'active connect' });
  try {
    return await attempt(sourcePort);
  } catch (err) {
    // The L-1 source port is a nicety (RFC 959 §3.2): without privilege or when it is busy, any port does.
    if (sourcePort === undefined || !isBindFailure(err)) throw err;
    return await attempt(undefined);
  }
}
