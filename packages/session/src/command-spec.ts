/**
 * One FTP command = metadata the dispatcher reads + a small pure handler.
 *
 * @see RFC 959 §4.1, §5.3.1
 */
import type { SessionCapabilities, SessionConfig } from './session-io.js';
import type { OneShot, SessionState } from './session-state.js';
import type { Step } from './step.js';

/** How many arguments a command takes; the dispatcher answers 501 on a mismatch. */
export type ArgRule = 'none' | 'optional' | 'required';

/** SessionConfig with its defaults filled in. */
export interface ResolvedSessionConfig {
  capabilities: SessionCapabilities;
  greeting: string;
  maxLineLength: number;
  uploadMode: NonNullable<SessionConfig['uploadMode']>;
  requireTls: boolean;
  requireTlsData: boolean;
  implicitTls: boolean;
}

/** What a handler sees. Plain data: no socket, no clock. */
export interface CommandContext {
  readonly state: SessionState;
  readonly config: ResolvedSessionConfig;
  readonly table: CommandTable;
  /** The verb as the client typed it (an alias such as XPWD stays XPWD). */
  readonly verb: string;
  /** REST offset and RNFR path left by the previous command (see `beginCommand`). */
  readonly oneShot: OneShot;
  /** `resolvePath(cwd, input)`; throws StorageError EINVAL (answered through the error table). */
  resolve(input: string): string;
}

export interface CommandSpec {
  verb: string;
  aliases?: readonly string[];
  /** Needs a logged-in user (530 otherwise). */
  auth: boolean;
  arg: ArgRule;
  /** Changes storage: refused (550) for read-only users. */
  writes?: boolean;
  /** Offered only with this capability (502 otherwise, and absent from HELP and FEAT). */
  capability?: keyof SessionCapabilities;
  /** Refused (534) under `requireTls` until the control connection is TLS. */
  needsTlsFirst?: boolean;
  /**
   * Leaves a pending REST offset for the transfer that follows (set-up and informational commands
   * clients send between REST and RETR/STOR/APPE); every other command clears it.
   */
  keepsRestartMarker?: boolean;
  /** Prepares a data channel: refused after EPSV ALL (RFC 2428 §3). */
  dataSetup?: boolean;
  /** A bad-sequence check: returns the 503 text when the command may not run now. */
  sequence?(state: SessionState, oneShot: OneShot): string | undefined;
  /** FEAT lines this command contributes (RFC 2389 §3.2). */
  feat?(state: SessionState, config: ResolvedSessionConfig): readonly string[];
  /** For HELP <verb>. */
  syntax: string;
  run(ctx: CommandContext, arg: string): Step;
}

/** Verbs we know but do not implement: answered 502 (RFC 959 §4.2.2). */
export interface UnimplementedSpec {
  verb: string;
  syntax: string;
}

export interface CommandTable {
  /** Finds a command by verb or alias (upper-case). */
  lookup(verb: string): CommandSpec | undefined;
  isUnimplemented(verb: string): boolean;
  /** Every implemented command, each once, in table order. */
  readonly commands: readonly CommandSpec[];
  /** Features that belong to no single command (e.g. TVFS). */
  readonly extraFeatures: readonly string[];
}
