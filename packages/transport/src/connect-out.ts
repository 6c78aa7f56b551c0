import { connect, type OnReadOpts, type Socket } from 'node:net';
import { DataChannelError } from '@ftpkit/codec';

/** Options of {@link connectOut}. */
export interface ConnectOutOptions {
  host: string;
  port: number;
  /** Local address to connect from. */
  localAddress?: string | undefined;
  /** Local port to connect from (the server's active mode "L-1"). */
  localPort?: number | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Receive into the caller's buffer instead of a fresh one per read (`net.connect`'s `onread`). */
  onread?: OnReadOpts | undefined;
  /** Names the connection in error messages. Default 'connect'. */
  label?: string | undefined;
}

/** A failure to bind the requested local address or port, as opposed to the peer refusing. */
export function isBindFailure(err: unknown): boolean {
  const e = (err instanceof DataChannelError ? err.cause : err) as NodeJS.ErrnoException | undefined;
  if (e === undefined || e === null) return false;
  return e.syscall === 'bind' || e.code === 'EACCES' || e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL';
}

/**
 * Connects out within `timeoutMs`: the FTP client's control connection and passive data
 * connections, the server's active data connections (RFC 959 §3.2). Resolves with the connected
 * socket, with an 'error' listener that destroys it. Rejects with DataChannelError: 'timeout',
 * 'refused' (the Node error as `cause`, see {@link isBindFailure}), 'reset' when `signal` aborts.
 */
export function connectOut(options: ConnectOutOptions): Promise<Socket> {
  const { host, port, localAddress, localPort, timeoutMs, signal } = options;
  const label = options.label ?? 'connect';
  return new Promise<Socket>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new DataChannelError('reset', 'aborted', { cause: signal.reason }));
      return;
    }
    const socket = connect({
      host,
      port,
      ...(localAddress === undefined ? {} : { localAddress }),
      ...(localPort === undefined ? {} : { localPort }),
      ...(options.onread === undefined ? {} : { onread: options.onread }),
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
      () => fail(new DataChannelError('timeout', `${label} to ${host}:${port} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onAbort = (): void => fail(new DataChannelError('reset', 'aborted', { cause: signal?.reason }));
    const onError = (err: Error): void => fail(new DataChannelError('refused', `${label} to ${host}:${port} failed`, { cause: err }));
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
