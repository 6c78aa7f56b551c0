import type { TLSSocket } from 'node:tls';
import { DataChannelError } from '@ftpkit/codec';

/** The words each caller uses for the three ways a handshake can fail. */
export interface HandshakeWording {
  timeout: string;
  failed: string;
  closed: string;
}

/** Options of {@link awaitHandshake}. */
export interface AwaitHandshakeOptions {
  /** 'secure' for the TLS server role, 'secureConnect' for the client role. */
  readyEvent: 'secure' | 'secureConnect';
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  wording: HandshakeWording;
}

/**
 * Waits for a TLS handshake in either role, the one place that does so. Resolves once the
 * handshake is done, with an 'error' listener left on the socket (a later failure surfaces through
 * reading or writing, never as an uncaught 'error'). On failure the socket is destroyed and the
 * promise rejects with DataChannelError: 'timeout' after `timeoutMs`, 'tls' when the handshake
 * fails (the TLS error as `cause`) or the peer closes during it, 'reset' when `signal` aborts.
 * @internal used by the role-specific functions of this package
 */
export function awaitHandshake(secure: TLSSocket, options: AwaitHandshakeOptions): Promise<void> {
  const { signal, wording, readyEvent } = options;
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      secure.off(readyEvent, onReady);
      secure.off('error', onError);
      secure.off('close', onClose);
    };
    const fail = (err: DataChannelError): void => {
      cleanup();
      secure.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new DataChannelError('timeout', wording.timeout)), options.timeoutMs);
    const onAbort = (): void => fail(new DataChannelError('reset', 'aborted', { cause: signal?.reason }));
    const onError = (err: Error): void => fail(new DataChannelError('tls', wording.failed, { cause: err }));
    const onClose = (): void => fail(new DataChannelError('tls', wording.closed));
    const onReady = (): void => {
      cleanup();
      secure.on('error', () => secure.destroy());
      resolve();
    };
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    secure.once(readyEvent, onReady);
    secure.once('error', onError);
    secure.once('close', onClose);
  });
}
