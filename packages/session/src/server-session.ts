/**
 * The engine: turns bytes and effect outcomes into outputs by running command lines through the
 * dispatcher one at a time. The rules it applies are described in `session-state.ts`; the
 * calling contract in `session-io.ts`.
 */
import { LineDecoder, encodeReply, parseCommand } from '@ftpkit/codec';
import type { CommandTable, ResolvedSessionConfig } from './command-spec.js';
import { createCommandTable } from './command-table.js';
import { dispatch } from './dispatcher.js';
import { errorStep } from './error-replies.js';
import type { Effect, Outcome, Output, ReplyOrigin, ServerSession, SessionConfig } from './session-io.js';
import {
  MAX_QUEUED_LINES,
  beginCommand,
  createSessionState,
  markClosed,
  tlsUpgradeStarted,
  transferEnded,
  type SessionState,
} from './session-state.js';
import { SessionUsageError } from './session-usage-error.js';
import { reply, replyAndClose, type Step } from './step.js';

/** Commands that act at once while a transfer runs (RFC 959 §4.1.3: ABOR, STAT; and QUIT). */
const URGENT = new Set(['ABOR', 'STAT', 'QUIT']);

/** Verbs whose argument is a secret: never copied into a reply's origin. */
const SECRET_ARG = new Set(['PASS', 'ACCT']);

/** Default 220 text. */
export const DEFAULT_GREETING = 'ftpkit FTP server ready.';

/** Default longest command line, in bytes. */
export const DEFAULT_MAX_LINE_LENGTH = 4096;

/** Numbers a driver may log or export; not needed to run a session. */
export interface ServerSessionDiagnostics {
  /** Command lines waiting behind the current command (at most {@link MAX_QUEUED_LINES}). */
  readonly queuedLines: number;
  /** Bytes of an unfinished command line held by the line decoder (at most maxLineLength). */
  readonly pendingBytes: number;
}

type Continuation = (outcome: Outcome) => Step;

function emptyOutput(): Output {
  return { write: [], origins: [], effects: [], close: false };
}

function resolveConfig(config: SessionConfig): ResolvedSessionConfig {
  const maxLineLength = config.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  if (!Number.isSafeInteger(maxLineLength) || maxLineLength < 16) {
    throw new RangeError(`maxLineLength must be an integer >= 16, got ${maxLineLength}`);
  }
  if ((config.requireTls === true || config.requireTlsData === true) && !config.capabilities.tls) {
    // Without AUTH TLS nobody could ever satisfy the requirement.
    throw new RangeError('requireTls and requireTlsData need capabilities.tls');
  }
  return {
    capabilities: { ...config.capabilities },
    greeting: config.greeting ?? DEFAULT_GREETING,
    maxLineLength,
    uploadMode: config.uploadMode ?? 'resumable',
    requireTls: config.requireTls ?? false,
    requireTlsData: config.requireTlsData ?? false,
    implicitTls: config.implicitTls ?? false,
  };
}

class Session implements ServerSession, ServerSessionDiagnostics {
  readonly #config: ResolvedSessionConfig;
  readonly #table: CommandTable;
  readonly #state: SessionState<Continuation>;
  readonly #decoder: LineDecoder;
  #nextId = 0;
  #started = false;
  /** The command whose replies are being produced (for `Output.origins`). */
  #current: ReplyOrigin | undefined;
  /** The command waiting for the outstanding effect: its replies come with the outcome. */
  #pendingOrigin: ReplyOrigin | undefined;

  constructor(config: ResolvedSessionConfig, table: CommandTable) {
    this.#config = config;
    this.#table = table;
    this.#state = createSessionState<Continuation>(config.implicitTls);
    this.#decoder = new LineDecoder({ maxLineLength: config.maxLineLength });
  }

  get transferring(): boolean {
    return this.#state.transfer?.phase === 'moving';
  }

  get user(): string | undefined {
    return this.#state.phase === 'logged-in' ? this.#state.user?.name : undefined;
  }

  get cwd(): string {
    return this.#state.cwd;
  }

  get queuedLines(): number {
    return this.#state.queue.length;
  }

  get pendingBytes(): number {
    return this.#decoder.pendingBytes;
  }

  start(refusal?: string): Output {
    if (this.#started) throw new SessionUsageError('start()', 'the session has already started');
    this.#started = true;
    const out = emptyOutput();
    if (this.#state.closed) return out;
    this.#apply(refusal === undefined ? reply(220, this.#config.greeting) : replyAndClose(421, refusal), out);
    return out;
  }

  receive(bytes: Uint8Array): Output {
    const out = emptyOutput();
    const state = this.#state;
    // Bytes that arrive while the TLS handshake is pending were sent in plaintext after AUTH.
    if (state.closed || state.awaitingTls) return out;
    for (const item of this.#decoder.push(bytes)) {
      if (state.closed || state.awaitingTls) break;
      this.#intake(item, out);
    }
    return out;
  }

  resolve(id: number, outcome: Outcome): Output {
    const out = emptyOutput();
    const state = this.#state;
    const pending = state.pending;
    if (state.closed) {
      // Effects still running when the connection ended resolve afterwards; nothing to say.
      if (pending?.id === id) state.pending = undefined;
      return out;
    }
    if (pending === undefined || pending.id !== id) {
      throw new SessionUsageError(
        `resolve(${id})`,
        pending === undefined ? 'no effect is outstanding' : `the outstanding effect is ${pending.id} (${pending.kind})`,
      );
    }
    state.pending = undefined;
    this.#current = this.#pendingOrigin;
    let step: Step;
    try {
      step = pending.then(outcome);
    } catch (err) {
      step = errorStep(err);
    }
    const t = state.transfer;
    // The transfer ends with its own outcome, or with open-data's when the connection never came up.
    if (t !== undefined && (pending.kind === 'transfer' || (pending.kind === 'open-data' && t.phase === 'opening'))) {
      const ended = transferEnded(state);
      this.#apply(step, out);
      if ((ended?.aborts ?? 0) > 0) this.#current = { verb: 'ABOR' };
      for (let i = 0; i < (ended?.aborts ?? 0); i++) this.#apply(reply(226, 'ABOR command successful.'), out);
      if (ended?.quitRequested === true) {
        this.#current = { verb: 'QUIT' };
        this.#apply(replyAndClose(221, 'Goodbye.'), out);
      }
    } else {
      this.#apply(step, out);
    }
    this.#pump(out);
    return out;
  }

  end(): Output {
    const out = emptyOutput();
    if (this.#state.closed) return out;
    this.#close(out);
    return out;
  }

  idleTimeout(): Output {
    const out = emptyOutput();
    if (this.#state.closed) return out;
    this.#current = undefined;
    this.#apply(replyAndClose(421, 'Timeout: closing control connection.'), out);
    return out;
  }

  /** One decoded line (or over-long-line error) arrives. */
  #intake(item: string | Error, out: Output): void {
    const state = this.#state;
    if (state.pending === undefined && state.queue.length === 0) {
      this.#process(item, out);
      this.#pump(out);
      return;
    }
    if (state.transfer !== undefined && typeof item === 'string' && URGENT.has(parseCommand(item).verb)) {
      this.#process(item, out);
      return;
    }
    if (state.queue.length >= MAX_QUEUED_LINES) {
      this.#apply(replyAndClose(421, 'Too many commands waiting; closing control connection.'), out);
      return;
    }
    state.queue.push(item);
    this.#pump(out);
  }

  /**
   * Runs queued lines while nothing is outstanding. Once a transfer has started, ABOR/STAT/QUIT
   * that were queued behind it (pipelined in the same packet as RETR, say) act at once, as they
   * would had they arrived a moment later.
   */
  #pump(out: Output): void {
    const state = this.#state;
    while (!state.closed && !state.awaitingTls) {
      if (state.pending === undefined) {
        const item = state.queue.shift();
        if (item === undefined) return;
        this.#process(item, out);
        continue;
      }
      if (state.transfer === undefined) return;
      const urgent = state.queue.findIndex((item) => typeof item === 'string' && URGENT.has(parseCommand(item).verb));
      if (urgent < 0) return;
      const [item] = state.queue.splice(urgent, 1);
      this.#process(item as string, out);
    }
  }

  #process(item: string | Error, out: Output): void {
    let step: Step;
    if (typeof item !== 'string') {
      this.#current = undefined;
      beginCommand(this.#state);
      step = reply(500, 'Command line too long.');
    } else {
      const { verb, arg } = parseCommand(item);
      const origin: ReplyOrigin = arg === '' || SECRET_ARG.has(verb) ? { verb } : { verb, arg };
      this.#current = origin;
      try {
        step = dispatch(item, this.#state, this.#config, this.#table, (path) => (origin.path = path));
      } catch (err) {
        step = errorStep(err);
      }
    }
    this.#apply(step, out);
  }

  #apply(first: Step, out: Output): void {
    const state = this.#state;
    let step: Step | undefined = first;
    while (step !== undefined && !state.closed) {
      switch (step.kind) {
        case 'reply':
          out.write.push(encodeReply(step.code, step.text));
          out.origins.push(this.#current);
          if (step.close) {
            this.#close(out);
            return;
          }
          step = step.next;
          break;
        case 'fire':
          out.effects.push(step.effect);
          step = step.next;
          break;
        case 'effect': {
          const id = ++this.#nextId;
          const effect = { ...step.request, id } as Effect;
          out.effects.push(effect);
          state.pending = { id, kind: effect.kind, then: step.then };
          this.#pendingOrigin = this.#current;
          if (effect.kind === 'tls-upgrade') {
            tlsUpgradeStarted(state);
            this.#decoder.reset();
          }
          return;
        }
        case 'close':
          this.#close(out);
          return;
        case 'done':
          return;
      }
    }
  }

  #close(out: Output): void {
    if (this.#state.transfer !== undefined) out.effects.push({ kind: 'abort-transfer' });
    markClosed(this.#state);
    out.close = true;
  }
}

/**
 * Creates the pure server side of one control connection. The driver calls `start()` once, then
 * `receive`/`resolve`/`end`/`idleTimeout`, and performs each returned `Output` in order: write the
 * bytes, run the effects, close if asked.
 *
 * @see RFC 959 §5 (the protocol), session-io.ts (the calling contract)
 */
export function createServerSession(config: SessionConfig): ServerSession & ServerSessionDiagnostics {
  // The table is immutable: one for every session (not a Map of fifty verbs per connection).
  defaultTable ??= createCommandTable();
  return new Session(resolveConfig(config), defaultTable);
}

let defaultTable: CommandTable | undefined;
