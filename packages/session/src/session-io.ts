/**
 * The boundary between the pure session and the driver that runs it (@ftpkit/server).
 *
 * Theory of operation: the driver feeds bytes (`receive`) and the outcomes of effects
 * (`resolve`); the session answers with an `Output`: bytes to write in order, effects to run,
 * and whether to close. Effects that carry an `id` must be resolved exactly once with that id;
 * effects without one are fire-and-forget. The session processes one command at a time: while an
 * effect is outstanding, further commands wait inside the session, except ABOR, STAT and QUIT
 * during a transfer, which act at once.
 */
import type { FileStat, UploadMode } from '@ftpkit/storage';

/** A logged-in user, as the host application's `authenticate` describes it. */
export interface SessionUser {
  name: string;
  /** Refuse every command that changes storage (550). */
  readOnly?: boolean;
  /** Verbs this user may not run (e.g. ['DELE', 'RMD']); answered 550. */
  deny?: readonly string[];
}

/** What the server can do beyond the base protocol; FEAT and HELP follow these. */
export interface SessionCapabilities {
  /** AUTH TLS / PBSZ / PROT offered. */
  tls: boolean;
  /** MFMT (adapter has setMtime). */
  setMtime: boolean;
  /** SITE CHMOD (adapter has chmod). */
  chmod: boolean;
}

export interface SessionConfig {
  capabilities: SessionCapabilities;
  /** Text of the 220 greeting. */
  greeting?: string;
  /** Longest command line accepted, in bytes. Default 4096. */
  maxLineLength?: number;
  /** How uploads land; passed through to storage writes. Default 'resumable'. */
  uploadMode?: UploadMode;
  /** Refuse USER/PASS with 530 (or 534) until AUTH TLS succeeded. Default false. */
  requireTls?: boolean;
  /** Refuse data transfers with 521/534 unless PROT P. Default false. */
  requireTlsData?: boolean;
  /** The control connection is already TLS (implicit FTPS). Default false. */
  implicitTls?: boolean;
}

export type StorageOp =
  | {
      op: 'stat';
      path: string;
      /**
       * RETR's stat: the file is read from this offset next, if the reply allows it. The driver may
       * open the file for that read now and answer with the facts of the file it opened; the
       * read is then kept for the open-data and transfer of that RETR, and dropped if another
       * step follows.
       */
      readFrom?: number;
    }
  | { op: 'mkdir'; path: string }
  | { op: 'rmdir'; path: string }
  | { op: 'delete'; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'setMtime'; path: string; mtime: Date }
  | { op: 'chmod'; path: string; mode: number };

export type ListFormat = 'list' | 'nlst' | 'mlsd';

/** What flows over a data connection. */
export type TransferSpec =
  | { type: 'retr'; path: string; offset: number; ascii: boolean }
  | {
      type: 'stor';
      path: string;
      offset: number;
      append: boolean;
      ascii: boolean;
      uploadMode: UploadMode;
    }
  | {
      type: 'list';
      path: string;
      format: ListFormat;
      /** MLSD: facts selected with OPTS MLST (lower-case names). */
      facts?: readonly string[];
      /** LIST -a style flag: include dot files. */
      all?: boolean;
      /** The path named a file, not a directory: list just that entry. */
      single?: boolean;
    };

export type HashAlgorithm = 'SHA-256' | 'SHA-1' | 'MD5' | 'CRC32';

export type Effect =
  | { kind: 'authenticate'; id: number; user: string; password: string }
  | { kind: 'storage'; id: number; call: StorageOp }
  /** Open a passive listener (replacing any previous one); resolve with the host and port to announce. */
  | { kind: 'passive'; id: number; extended: boolean }
  /** PORT/EPRT target: the driver applies the anti-bounce checks; resolve ok or with an error. */
  | { kind: 'active'; id: number; host: string; port: number }
  /** Establish the data connection prepared by PASV/EPSV/PORT/EPRT (TLS when `secure`). */
  | {
      kind: 'open-data';
      id: number;
      secure: boolean;
      /** The transfer that will follow, so the driver can refuse it before the 150 (a failure here is answered from the error table). */
      spec?: TransferSpec;
    }
  /** Move the bytes over the open data connection, then close it. */
  | { kind: 'transfer'; id: number; spec: TransferSpec }
  /**
   * Abort the running transfer: its own `transfer` effect then resolves with `aborted`. Also sent
   * while `open-data` is outstanding (ABOR before the data connection came up): that effect then
   * resolves with an error (e.g. DataChannelError 'reset').
   */
  | { kind: 'abort-transfer' }
  /** Drop any prepared data connection (PASV listener, PORT target), e.g. on REIN. */
  | { kind: 'close-data' }
  /** Write the bytes already output, then upgrade the control connection to TLS (AUTH TLS). */
  | { kind: 'tls-upgrade'; id: number }
  /** HASH: digest of a file (or a byte range of it), streamed. */
  | { kind: 'hash'; id: number; path: string; algorithm: HashAlgorithm; start?: number; end?: number }
  /** STAT <path>: the listing lines to send over the control connection. */
  | { kind: 'list-control'; id: number; path: string; single: boolean };

export type Outcome =
  | {
      ok: true;
      /** storage stat */
      stat?: FileStat;
      /** authenticate */
      user?: SessionUser;
      /** passive */
      host?: string;
      port?: number;
      /** transfer: bytes moved */
      bytes?: number;
      /** hash: lower-case hex */
      digest?: string;
      /** list-control: formatted lines */
      lines?: readonly string[];
    }
  | {
      ok: false;
      /** A StorageError, a DataChannelError, or anything else (answered 451, never leaked). */
      error: unknown;
      /** transfer: stopped by abort-transfer (ABOR or connection end). */
      aborted?: boolean;
    };

/**
 * The command a reply answers, for logs and audit trails. Never carries a secret: the argument of
 * PASS and ACCT is left out.
 */
export interface ReplyOrigin {
  /** The verb, upper-cased as parsed. */
  verb: string;
  /** The argument as the client sent it (absent for PASS, ACCT and commands without one). */
  arg?: string;
  /** The absolute virtual path the command resolved, when it named one (RNTO: the new name). */
  path?: string;
}

export interface Output {
  /** Bytes for the control connection, in order. */
  write: Uint8Array[];
  /**
   * Parallel to `write`: the command each reply answers; undefined for a reply to no command (the
   * greeting, an idle timeout, an over-long line).
   */
  origins: (ReplyOrigin | undefined)[];
  effects: Effect[];
  /** Close the control connection after writing. */
  close: boolean;
}

export interface ServerSession {
  /**
   * The greeting (220), or 421 when the driver decided to refuse the connection: pass the
   * refusal text (e.g. "Too many connections.") and the output closes. Call once.
   */
  start(refusal?: string): Output;
  receive(bytes: Uint8Array): Output;
  resolve(id: number, outcome: Outcome): Output;
  /** The peer closed the connection: abort what runs, emit nothing more. */
  end(): Output;
  /** The driver's idle timer fired: 421 and close. */
  idleTimeout(): Output;
  /** True while a transfer effect is outstanding (the driver pauses its idle timer). */
  readonly transferring: boolean;
  /** Logged-in user name, if any (for logs and events). */
  readonly user: string | undefined;
  /** The current directory (an absolute virtual path), for operators' views. */
  readonly cwd: string;
}
