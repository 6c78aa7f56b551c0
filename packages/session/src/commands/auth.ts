import type { CommandSpec } from '../command-spec.js';
import { closeConnection, done, fire, reply, request, type Step } from '../step.js';
import { tlsEstablished } from '../session-state.js';

const MECHANISMS = new Set(['TLS', 'TLS-C', 'SSL', 'TLS-P']);

/**
 * AUTH TLS (aliases TLS-C, SSL, TLS-P; no implied PROT): 234, then the driver upgrades the control
 * connection. Everything the client sent after AUTH before the handshake (pipelined plaintext) is
 * discarded by the engine, never run. A completed handshake resets login and transfer parameters
 * (RFC 4217 §4.2); a failed one closes the connection without a reply (RFC 4217 §10.1: the
 * connection is in an unknown state). Only with the `tls` capability (502 otherwise); 503 when
 * the connection is TLS already.
 *
 * @see RFC 4217 §4, RFC 2228 §3
 */
export const authCommand: CommandSpec = {
  verb: 'AUTH',
  auth: false,
  arg: 'required',
  capability: 'tls',
  feat: () => ['AUTH TLS'],
  syntax: 'AUTH <SP> TLS -- upgrade the control connection to TLS',
  sequence: (state) => (state.tls ? 'Already using TLS.' : undefined),
  run(ctx, arg) {
    const { state } = ctx;
    if (!MECHANISMS.has(arg.trim().toUpperCase())) return reply(504, 'AUTH mechanism not supported; use AUTH TLS.');
    const upgrade: Step = reply(
      234,
      'AUTH TLS successful.',
      request({ kind: 'tls-upgrade' }, (outcome) => {
        if (!outcome.ok) return closeConnection;
        tlsEstablished(state);
        return done;
      }),
    );
    return state.data.mode !== 'none' ? fire({ kind: 'close-data' }, upgrade) : upgrade;
  },
};
