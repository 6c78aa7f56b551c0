/**
 * The one dispatcher: every command line passes the same guards, in this order, before its
 * handler runs (as pyftpdlib's proto_cmds table and smtp-server's guards do):
 *
 *  1. 500 empty line, over-long line, unknown verb; 502 known but not implemented, or a
 *     capability the server lacks (e.g. AUTH without TLS, MFMT without setMtime)
 *  2. 501 argument present where none is allowed, or missing where one is required
 *  3. 534 USER/PASS under `requireTls` before AUTH TLS (RFC 4217 §10.1 policy)
 *  4. 530 not logged in
 *  5. 550 the user's deny list, or a read-only user and a command that writes (before 503: a
 *     refused command stays refused whatever the sequence)
 *  6. 503 bad sequence (PASS without USER, RNTO not right after RNFR, PROT before PBSZ, PORT/PASV/
 *     EPRT after EPSV ALL, ...), from each command's `sequence` check
 *
 * The one-shot REST/RNFR state is taken before the guards, so even a refused command cancels it
 * (a command marked `keepsRestartMarker` leaves the REST offset in place, refused or not).
 * A handler that throws (e.g. `resolvePath` refusing a NUL byte) is answered from the error table.
 *
 * @see RFC 959 §5.4 (which replies each command may give)
 */
import { parseCommand } from '@ftpkit/codec';
import type { CommandContext, CommandTable, ResolvedSessionConfig } from './command-spec.js';
import { errorStep } from './error-replies.js';
import { beginCommand, type SessionState } from './session-state.js';
import { reply, type Step } from './step.js';
import { resolvePath } from '@ftpkit/storage';

/**
 * Runs one complete command line through the guards and its handler. `onPath` hears each path
 * the handler resolves (for the reply's origin in logs).
 */
export function dispatch(
  line: string,
  state: SessionState,
  config: ResolvedSessionConfig,
  table: CommandTable,
  onPath?: (path: string) => void,
): Step {
  const cmd = parseCommand(line);
  const spec = cmd.verb.trim() === '' ? undefined : table.lookup(cmd.verb);
  const oneShot = beginCommand(state, spec?.keepsRestartMarker === true);
  if (cmd.verb.trim() === '') return reply(500, 'Syntax error, command unrecognized.');
  if (spec === undefined) {
    if (table.isUnimplemented(cmd.verb)) return reply(502, 'Command not implemented.');
    return reply(500, 'Syntax error, command unrecognized.');
  }
  if (spec.capability !== undefined && !config.capabilities[spec.capability]) {
    return reply(502, 'Command not implemented.');
  }
  const hasArg = cmd.arg.trim() !== '';
  if (spec.arg === 'none' && hasArg) return reply(501, 'Syntax error: this command takes no argument.');
  if (spec.arg === 'required' && !hasArg) return reply(501, 'Syntax error: argument required.');
  if (spec.needsTlsFirst === true && config.requireTls && !state.tls) {
    return reply(534, 'Policy requires TLS: use AUTH TLS first.');
  }
  if (spec.auth && state.phase !== 'logged-in') return reply(530, 'Please login with USER and PASS.');
  const user = state.user;
  // A refused write still names its path in the reply's origin (MFMT's argument starts with a time).
  if (spec.writes === true && hasArg && spec.verb !== 'MFMT' && onPath !== undefined) {
    try {
      onPath(resolvePath(state.cwd, cmd.arg));
    } catch {
      // An unresolvable name is refused by the handler; the origin keeps the raw argument.
    }
  }
  if (user !== undefined) {
    const deny = user.deny?.map((v) => v.toUpperCase()) ?? [];
    if (deny.includes(spec.verb) || deny.includes(cmd.verb)) return reply(550, 'Permission denied.');
    if (spec.writes === true && user.readOnly === true) return reply(550, 'Permission denied: read-only account.');
  }
  if (spec.dataSetup === true && state.epsvAll) return reply(503, 'EPSV ALL in effect: only EPSV is allowed.');
  const bad = spec.sequence?.(state, oneShot);
  if (bad !== undefined) return reply(503, bad);
  const ctx: CommandContext = {
    state,
    config,
    table,
    verb: cmd.verb,
    oneShot,
    resolve: (input) => {
      const path = resolvePath(state.cwd, input);
      onPath?.(path);
      return path;
    },
  };
  try {
    return spec.run(ctx, cmd.arg);
  } catch (err) {
    return errorStep(err);
  }
}
