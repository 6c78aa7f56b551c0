import type { SessionUser } from '@ftpkit/session';

/** Plain facts about one control connection; hooks and events never see a socket. */
export interface ConnectionInfo {
  /** Unique per server instance. */
  id: number;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  /** The control connection is TLS. */
  secure: boolean;
  /**
   * The load balancer's address when a PROXY header named the client (`remoteAddress` is then the
   * client's); absent for direct connections.
   */
  proxiedBy?: string;
}

export type TransferDirection = 'download' | 'upload' | 'list';

/**
 * Emitted when a data transfer begins: after its 150, for every transfer command (a refusal before
 * the 150 emits no transfer event).
 */
export interface TransferStartEvent {
  connection: ConnectionInfo;
  user: string | undefined;
  direction: TransferDirection;
  path: string;
}

/** Emitted when a data transfer ends, successfully or not: the hook for processing finished uploads. */
export interface TransferEndEvent extends TransferStartEvent {
  bytes: number;
  durationMs: number;
  ok: boolean;
  /**
   * Stopped by ABOR or by the session ending, decided by what asked for the stop (an ABOR racing a
   * reset data connection is still aborted); a client dropping the data connection without ABOR,
   * or a storage failure, is not.
   */
  aborted: boolean;
  error?: unknown;
}

/** A change to storage made by a command without a data connection. */
export type FileOperation = 'delete' | 'rename' | 'mkdir' | 'rmdir' | 'chmod' | 'set-mtime';

/**
 * Emitted once per DELE, RNTO, MKD, RMD, SITE CHMOD and MFMT that reached the storage, after its
 * reply: `ok` with the success reply, or refused by the storage (550 for a missing file, ...).
 * A command refused before it reached the storage (read-only user, 530) emits `command-refused` only.
 */
export interface FileOperationEvent {
  connection: ConnectionInfo;
  user: string | undefined;
  operation: FileOperation;
  /** The absolute virtual path (rename: the old name). */
  path: string;
  /** rename: the new name. */
  to?: string;
  ok: boolean;
  /** The reply code the client got. */
  code: number;
  error?: unknown;
}

/**
 * Emitted for every reply of 400 or above that answers a command (530 not logged in, 550, 553,
 * 425, 500, ...), whatever refused it: the session's guards, the storage, a data connection.
 */
export interface CommandRefusedEvent {
  connection: ConnectionInfo;
  user: string | undefined;
  /** Upper-cased verb. */
  verb: string;
  /** The argument as sent (never PASS's or ACCT's). */
  arg?: string;
  /** The absolute virtual path, when the command got as far as resolving one. */
  path?: string;
  code: number;
}

/** The typed event map of {@link FtpServer}. */
export interface FtpServerEvents {
  'connection-start': [ConnectionInfo];
  /**
   * A connection refused by limits before any session started, or (`banned`) one from an address
   * banned after failed logins: that one had its `connection-start` (the ban list is asked once the
   * connection is open) and gets `421` and its `connection-end` right after.
   */
  'connection-refused': [
    {
      remoteAddress: string;
      /** `proxy-untrusted`: a PROXY listener got a connection from outside `proxyProtocol.trusted`; `proxy-header`: no valid header in time. */
      reason: 'max-connections' | 'max-connections-per-ip' | 'closing' | 'proxy-untrusted' | 'proxy-header' | 'banned';
    },
  ];
  /** `close()` was called: the server accepts no new connection and running transfers finish (a health check should now fail). */
  draining: [];
  login: [{ connection: ConnectionInfo; user: SessionUser }];
  'login-failed': [{ connection: ConnectionInfo; user: string; failures: number }];
  'transfer-start': [TransferStartEvent];
  'transfer-end': [TransferEndEvent];
  'connection-end': [{ connection: ConnectionInfo; user: string | undefined; durationMs: number }];
  'file-operation': [FileOperationEvent];
  'command-refused': [CommandRefusedEvent];
  /** A reply the session sent (its three-digit code), for metrics. */
  reply: [{ connection: ConnectionInfo; code: number }];
  /** Unexpected failures (a throwing hook, an effect that failed outside the protocol). Only emitted when listened to. */
  error: [Error];
}
