/**
 * The socket types this package hands out (connected, accepted, or secured with TLS), so that its
 * users can name them without importing `node:net` or `node:tls` themselves.
 */
export type { Socket } from 'node:net';
export type { TLSSocket } from 'node:tls';
