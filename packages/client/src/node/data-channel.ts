import type { HostPort } from '@ftpkit/codec';
import { connectOut, listenPassive, secureClientSocket, type OnReadOption, type Socket } from '@ftpkit/transport';
import { FtpConnectionError } from '../errors.js';
import { tlsClientOptions, type ControlChannel } from './control-channel.js';
import type { ResolvedOptions } from './options.js';
import { fromTransport } from './transport-errors.js';

/** A data connection as the transfer loops get it: a TCP socket, or TLS over one. */
export type DataSocket = Socket;

/** A data connection made ready before the transfer command: `connect` once the server answered it. */
export interface PreparedData {
  /** The data socket, TLS-protected when asked for (the handshake runs here, after the 150). */
  connect: () => Promise<DataSocket>;
  /** Drops the connection (or the wait for it): the transfer failed or never started. */
  cancel: () => void;
}

/**
 * TLS on a data connection, resuming the control connection's session: vsftpd
 * (`require_ssl_reuse`) and FileZilla Server refuse data connections that do not. Resolves once
 * the handshake is done, so nothing (not even the end of an empty upload) can cut it short.
 * @see RFC 4217 §10.2
 */
async function secureData(raw: Socket, ctrl: ControlChannel, opts: ResolvedOptions): Promise<DataSocket> {
  const session = ctrl.session;
  return await secureClientSocket(raw, {
    ...tlsClientOptions(opts),
    ...(session ? { session } : {}),
    timeoutMs: opts.connectTimeout,
  }).catch((err: unknown) => {
    throw fromTransport(err, 'data connection TLS handshake failed', 'connect', opts.connectTimeout);
  });
}

/**
 * Passive mode: connects to the port the server named within `connectTimeout` (the server's
 * active mode, mirrored). TLS starts in `connect`, after the server's 150, as ftplib and curl do:
 * pyftpdlib resets a handshake begun earlier. `onread` (a download's receiver) reads a plain
 * connection straight into reused buffers.
 */
export async function connectPassiveData(target: HostPort, ctrl: ControlChannel, opts: ResolvedOptions, protect: boolean, onread?: () => OnReadOption): Promise<PreparedData> {
  // Plain TCP only: under TLS the raw socket's bytes belong to the TLS layer.
  const receive = protect || onread === undefined ? {} : { onread: onread() };
  const raw = await connectOut({ host: target.host, port: target.port, timeoutMs: opts.connectTimeout, ...receive }).catch((err: unknown) => {
    throw fromTransport(err, `cannot open data connection to ${target.host}:${target.port}`, 'connect', opts.connectTimeout);
  });
  let sock: DataSocket = raw;
  return {
    connect: async () => {
      if (protect) sock = await secureData(raw, ctrl, opts);
      return sock;
    },
    cancel: () => sock.destroy(),
  };
}

/**
 * Active mode (PORT/EPRT): listens on the control connection's local address for one connection
 * from the control peer's address, within `dataTimeout` (the server's passive mode, mirrored:
 * a connection from any other address is dropped, a race from the peer's address refused).
 */
export async function listenActiveData(ctrl: ControlChannel, opts: ResolvedOptions, protect: boolean): Promise<PreparedData & { address: HostPort }> {
  const { localAddress, remoteAddress } = ctrl.connection;
  if (!localAddress || !remoteAddress) throw new FtpConnectionError('the control connection has no address');
  const listener = await listenPassive({ host: localAddress, controlPeer: remoteAddress }).catch((err: unknown) => {
    throw fromTransport(err, 'cannot listen for the data connection', 'data', opts.dataTimeout);
  });
  let raw: Socket | undefined;
  return {
    address: { host: localAddress, port: listener.port },
    connect: async () => {
      raw = await listener.accept(opts.dataTimeout).catch((err: unknown) => {
        throw fromTransport(err, 'the data connection failed', 'data', opts.dataTimeout);
      });
      raw.setNoDelay(true);
      return protect ? await secureData(raw, ctrl, opts) : raw;
    },
    cancel: () => {
      listener.close();
      raw?.destroy();
    },
  };
}
