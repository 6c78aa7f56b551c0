import type { Socket } from 'node:net';

/**
 * Calls `onStall` once when no byte has moved on the watched data socket (read or written) for
 * `timeoutMs`, checking about ten times per timeout (so it fires within 1.1 x timeoutMs). The data
 * timeout of either end: a transfer whose peer stopped reading or sending.
 *
 * Node's own `socket.setTimeout` is not used for this: its timer skips an expiry whenever the
 * write queue changed since the previous expiry, so a download to a client that stopped reading
 * was cut only after twice the data timeout (60 s for 30 s). Counting bytes has no such blind
 * spot, and works the same for a TLS socket that replaced the plain one (`current` is asked on
 * every check). Returns a function that stops watching.
 */
export function watchStall(current: () => Socket | undefined, timeoutMs: number, onStall: () => void): () => void {
  const every = Math.max(10, Math.min(1_000, Math.floor(timeoutMs / 10)));
  let moved = -1;
  let since = Date.now();
  const timer = setInterval(() => {
    const socket = current();
    if (socket === undefined || socket.destroyed) return;
    const now = Date.now();
    const bytes = socket.bytesRead + socket.bytesWritten;
    if (bytes !== moved) {
      moved = bytes;
      since = now;
    } else if (now - since >= timeoutMs) {
      clearInterval(timer);
      onStall();
    }
  }, every);
  timer.unref();
  return () => clearInterval(timer);
}
