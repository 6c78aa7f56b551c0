/**
 * The state of one FTP control connection and every rule that changes it.
 *
 * Theory of operation
 * -------------------
 * A session is a small set of independent state machines that commands push forward. Handlers never
 * assign fields themselves: they call the transition functions below, so every rule lives here.
 *
 * Login (RFC 959 §4.1.1):
 *
 *     need-user --USER--> need-password --PASS ok--> logged-in
 *         ^                    |  PASS refused            |
 *         +--------------------+                          |  USER again: re-login
 *         +<-------------- REIN, AUTH TLS ----------------+  (back to need-password)
 *
 *   HOST (RFC 7151) is accepted only in need-user before any USER.
 *
 * One-shot arguments: RNFR (RFC 959 §4.1.3) describes the NEXT command only. REST (RFC 3659 §5)
 *   describes the next transfer: `beginCommand` takes both out of the state before any command
 *   runs and hands them to that command; RNTO uses the RNFR path, RETR/STOR/APPE use the REST
 *   offset. Commands that only set up or ask (PASV, EPSV, PORT, EPRT, TYPE, MODE, STRU, NOOP,
 *   SIZE, MDTM, ... : a spec's `keepsRestartMarker`) put the REST offset back, because clients send
 *   them between REST and the transfer as vsftpd, pure-ftpd and proftpd allow; every other command
 *   (even a refused or unknown one) drops both. So a transfer, REIN, a new REST or any other
 *   command clears the marker, and 10,000 RNFR in a row keep exactly one pending name.
 *
 * Transfer parameters: cwd (always an absolute virtual path), TYPE A|I (STRU F and MODE S are the
 *   only values accepted, so they are not stored), OPTS UTF8 (names are always UTF-8; the flag is
 *   only remembered), the MLST facts selected with OPTS MLST, the HASH algorithm.
 *
 * Data channel: `none` until PASV/EPSV/PORT/EPRT succeed (`passive`/`active`); consumed by the
 *   next transfer whatever its outcome, so the client sends PASV/PORT again for each transfer.
 *   After EPSV ALL (RFC 2428 §3) only EPSV may prepare one.
 *
 * Security (RFC 4217): `tls` once AUTH TLS completed (or from the start for implicit FTPS). PBSZ
 *   requires tls; PROT requires PBSZ; PROT is C (clear) until PROT P. A successful AUTH resets
 *   the login and transfer parameters "almost as if a REIN command was issued" (§4.2). REIN keeps
 *   the TLS layer: the session has no way to ask the driver to drop it (deviation from §13,
 *   documented in the README).
 *
 * Processing: one command at a time. `pending` is the one effect whose outcome the current command
 *   waits for; while it is set, new lines wait in `queue` (at most MAX_QUEUED_LINES; one more closes
 *   the connection with 421). `transfer` is set from open-data (phase `opening`) through the
 *   transfer effect (phase `moving`) until its outcome. While it is set, ABOR, STAT and QUIT bypass
 *   the queue (those already queued behind the transfer command, e.g. pipelined in one packet,
 *   are taken out of it as soon as the transfer starts): ABOR asks the driver to abort (which also stops a data connection still opening)
 *   and QUIT only raises a flag; the end of the transfer honours both (426/226, then ABOR's 226,
 *   then QUIT's 221). While `awaitingTls` is set (AUTH answered 234, handshake running) every byte is
 *   discarded: it was sent in plaintext after AUTH and must never run.
 */
import type { HashAlgorithm, SessionUser, TransferSpec } from './session-io.js';

/** Most command lines that may wait behind a running command. */
export const MAX_QUEUED_LINES = 64;

/** MLSx facts this server can produce, in FEAT order. @see RFC 3659 §7.5 */
export const SUPPORTED_FACTS: readonly string[] = ['type', 'size', 'modify', 'perm', 'unique', 'unix.mode'];

/** Facts on by default (OPTS MLST changes the selection). */
export const DEFAULT_FACTS: readonly string[] = ['type', 'size', 'modify', 'perm', 'unix.mode'];

/** HASH algorithms, in FEAT order. @see draft-bryan-ftpext-hash §3 */
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['SHA-256', 'SHA-1', 'MD5', 'CRC32'];

export type LoginPhase = 'need-user' | 'need-password' | 'logged-in';

export type DataChannelState =
  | { mode: 'none' }
  | { mode: 'passive'; extended: boolean }
  | { mode: 'active'; host: string; port: number };

/**
 * A data transfer from open-data on: `opening` while the data connection is being established,
 * `moving` while the transfer effect runs.
 */
export interface RunningTransfer {
  spec: TransferSpec;
  phase: 'opening' | 'moving';
  /** ABORs received: after the transfer's own reply, each is answered 226. */
  aborts: number;
  /** QUIT arrived: after the transfer's reply (and ABOR's), answer 221 and close. */
  quitRequested: boolean;
}

/** What a command was handed by `beginCommand`. */
export interface OneShot {
  /** From RNFR, for RNTO. */
  renameFrom: string | undefined;
  /** From REST, for RETR/STOR/APPE. 0 when none. */
  restOffset: number;
}

/** The outstanding effect: its id and what to do with its outcome. */
export interface PendingEffect<Continuation> {
  id: number;
  kind: string;
  then: Continuation;
}

export interface SessionState<Continuation = unknown> {
  phase: LoginPhase;
  /** USER name waiting for PASS. */
  pendingUser: string | undefined;
  user: SessionUser | undefined;
  /** RFC 7151 virtual host name, remembered for status and logs. */
  host: string | undefined;
  cwd: string;
  type: 'A' | 'I';
  restOffset: number;
  renameFrom: string | undefined;
  tls: boolean;
  pbsz: boolean;
  prot: 'C' | 'P';
  utf8: boolean;
  mlstFacts: readonly string[];
  hashAlgorithm: HashAlgorithm;
  epsvAll: boolean;
  data: DataChannelState;
  transfer: RunningTransfer | undefined;
  pending: PendingEffect<Continuation> | undefined;
  queue: Array<string | Error>;
  awaitingTls: boolean;
  closed: boolean;
}

/** Just connected. `implicitTls`: the control connection is TLS from the first byte. */
export function createSessionState<C>(implicitTls: boolean): SessionState<C> {
  return {
    phase: 'need-user',
    pendingUser: undefined,
    user: undefined,
    host: undefined,
    cwd: '/',
    type: 'A',
    restOffset: 0,
    renameFrom: undefined,
    tls: implicitTls,
    pbsz: false,
    prot: 'C',
    utf8: true,
    mlstFacts: DEFAULT_FACTS,
    hashAlgorithm: 'SHA-256',
    epsvAll: false,
    data: { mode: 'none' },
    transfer: undefined,
    pending: undefined,
    queue: [],
    awaitingTls: false,
    closed: false,
  };
}

/**
 * Takes the one-shot arguments (RNFR, REST) out of the state for the command about to run.
 * `keepRest`: the command leaves a REST offset for the transfer after it (see the theory above).
 */
export function beginCommand(state: SessionState, keepRest = false): OneShot {
  const taken = { renameFrom: state.renameFrom, restOffset: state.restOffset };
  state.renameFrom = undefined;
  if (!keepRest) state.restOffset = 0;
  return taken;
}

// ---- login ----

/** USER: (re)start a login; a logged-in user is logged out until PASS succeeds. */
export function userGiven(state: SessionState, name: string): void {
  state.phase = 'need-password';
  state.pendingUser = name;
  state.user = undefined;
}

export function loginSucceeded(state: SessionState, user: SessionUser): void {
  state.phase = 'logged-in';
  state.pendingUser = undefined;
  state.user = user;
  state.cwd = '/';
}

export function loginFailed(state: SessionState): void {
  state.phase = 'need-user';
  state.pendingUser = undefined;
  state.user = undefined;
}

/** HOST: remember the virtual host (RFC 7151 §3). */
export function hostGiven(state: SessionState, host: string): void {
  state.host = host;
}

/**
 * REIN (RFC 959 §4.1.1) and a successful AUTH (RFC 4217 §4.2): back to just-connected, except the
 * TLS layer. Returns whether a prepared data channel must be dropped.
 */
export function reinitialize(state: SessionState): boolean {
  const hadData = state.data.mode !== 'none';
  state.phase = 'need-user';
  state.pendingUser = undefined;
  state.user = undefined;
  state.host = undefined;
  state.cwd = '/';
  state.type = 'A';
  state.restOffset = 0;
  state.renameFrom = undefined;
  state.utf8 = true;
  state.mlstFacts = DEFAULT_FACTS;
  state.hashAlgorithm = 'SHA-256';
  state.epsvAll = false;
  state.data = { mode: 'none' };
  return hadData;
}

// ---- transfer parameters ----

export function changeDirectory(state: SessionState, path: string): void {
  state.cwd = path;
}

export function setType(state: SessionState, type: 'A' | 'I'): void {
  state.type = type;
}

/** REST: the offset applies to the next command only (see `beginCommand`). */
export function setRestOffset(state: SessionState, offset: number): void {
  state.restOffset = offset;
}

/** RNFR: the path applies to the next command only (see `beginCommand`). */
export function setRenameFrom(state: SessionState, path: string): void {
  state.renameFrom = path;
}

export function setUtf8(state: SessionState, on: boolean): void {
  state.utf8 = on;
}

export function selectFacts(state: SessionState, facts: readonly string[]): void {
  state.mlstFacts = facts;
}

export function selectHashAlgorithm(state: SessionState, algorithm: HashAlgorithm): void {
  state.hashAlgorithm = algorithm;
}

// ---- data channel ----

/** EPSV ALL: from now on only EPSV may prepare a data channel (RFC 2428 §3). */
export function enterEpsvAll(state: SessionState): void {
  state.epsvAll = true;
}

export function dataPrepared(state: SessionState, data: Exclude<DataChannelState, { mode: 'none' }>): void {
  state.data = data;
}

/** A transfer used (or failed to use) the prepared channel: the next one needs PASV/PORT again. */
export function dataConsumed(state: SessionState): void {
  state.data = { mode: 'none' };
}

/** open-data is about to be requested for this transfer. */
export function transferOpening(state: SessionState, spec: TransferSpec): void {
  state.transfer = { spec, phase: 'opening', aborts: 0, quitRequested: false };
}

/** The data connection is up; the transfer effect is about to be requested. */
export function transferMoving(state: SessionState): void {
  if (state.transfer !== undefined) state.transfer.phase = 'moving';
}

/** Ends the running transfer and returns it with its ABOR/QUIT flags. */
export function transferEnded(state: SessionState): RunningTransfer | undefined {
  const t = state.transfer;
  state.transfer = undefined;
  state.data = { mode: 'none' };
  return t;
}

// ---- security ----

/** AUTH answered 234: discard everything until the handshake outcome arrives. */
export function tlsUpgradeStarted(state: SessionState): void {
  state.awaitingTls = true;
  state.queue.length = 0;
}

/** The handshake completed: RFC 4217 §4.2 resets login and transfer parameters. */
export function tlsEstablished(state: SessionState): void {
  state.awaitingTls = false;
  state.tls = true;
  state.pbsz = false;
  state.prot = 'C';
  reinitialize(state);
}

export function setPbsz(state: SessionState): void {
  state.pbsz = true;
}

export function setProt(state: SessionState, level: 'C' | 'P'): void {
  state.prot = level;
}

// ---- life cycle ----

/** After this every call answers nothing. */
export function markClosed(state: SessionState): void {
  state.closed = true;
  state.queue.length = 0;
  state.awaitingTls = false;
}
