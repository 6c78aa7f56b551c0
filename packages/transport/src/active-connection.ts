import { connect, type Socket } from 'node:net';
import { DataChannelError } from '@ftpkit/codec';
import { sameAddress } from './peer-address.js';

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
}

function attempt(options: ConnectActiveOptions, withSourcePort: boolean): Promise<Socket> {
  const { host, port, localAddress, timeoutMs, signal } = options;
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({
      host,
      port,
      ...(localAddress === undefined ? {} : { localAddress }),
      ...(withSourcePort && options.sourcePort !== undefined ? { localPort: options.sourcePort } : {}),
    });
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      socket.off('connect', onConnect);
    };
    const fail = (err: DataChannelError): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new DataChannelError('timeout', `active connect to ${host}:${port} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onAbort = (): void => fail(new DataChannelError('reset', 'aborted', { cause: signal?.reason }));
    const onError = (err: NodeJS.ErrnoException): void => {
      cleanup();
      socket.destroy();
      if (err.syscall === 'bind' || err.code === 'EACCES' || err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL') {
        reject(err);
        return;
      }
      reject(new DataChannelError('refused', `active connect to ${host}:${port} failed`, { cause: err }));
    };
    const onConnect = (): void => {
      cleanup();
      socket.on('error', () => socket.destroy());
      resolve(socket);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', onConnect);
  });
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
  const useSource = options.sourcePort !== undefined;
  try {
    return await attempt(options, useSource);
  } catch (err) {
    if (err instanceof DataChannelError) throw err;
    if (useSource) {
      try {
        return await attempt(options, false);
      } catch (retryErr) {
        if (retryErr instanceof DataChannelError) throw retryErr;
        throw new DataChannelError('refused', 'active connect failed', { cause: retryErr });
      }
    }
    throw new DataChannelError('refused', 'active connect failed', { cause: err });
  }
}
