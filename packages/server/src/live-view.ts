import type { TransferDirection } from './events.js';

/** A transfer running now, as {@link FtpServer.sessions} shows it. */
export interface LiveTransfer {
  direction: TransferDirection;
  /** The FTP path (for a listing: the directory listed). */
  path: string;
  /** File bytes moved so far. */
  bytes: number;
  /**
   * The whole size, where it is known: a download's file size once it has been looked up (the
   * first view of a download asks the storage for it; nothing is looked up while nobody looks).
   * Absent for uploads and listings.
   */
  size?: number;
  /** When the transfer began (ms since the epoch). */
  startedAt: number;
}

/** One control connection as an operator sees it. A plain snapshot: reading it changes nothing. */
export interface LiveSession {
  /** The connection id (`ConnectionInfo.id`), for {@link FtpServer.disconnect}. */
  id: number;
  /** The client's address (behind a trusted balancer: the one its PROXY header named). */
  remoteAddress: string;
  remotePort: number;
  /** The balancer's address when a PROXY header named the client. */
  proxiedBy?: string;
  /** The control connection is TLS. */
  secure: boolean;
  /** Logged-in user, if any. */
  user?: string;
  /** When the connection was accepted (ms since the epoch). */
  connectedAt: number;
  /** Current directory (virtual path). */
  cwd: string;
  /**
   * What the server is doing for this session now: a storage operation (`delete`, `rename`,
   * `mkdir`, `stat`...), `authenticate`, `passive`, `active`, `transfer`, or absent when idle.
   */
  activity?: string;
  transfer?: LiveTransfer;
}

/** The running transfer as the driver tracks it; `size` is filled in on first view. */
export interface TrackedTransfer {
  direction: TransferDirection;
  path: string;
  counter: { bytes: number };
  startedAt: number;
  size?: number;
  sizeAsked?: boolean;
}

/** The snapshot of a tracked transfer. */
export function viewTransfer(t: TrackedTransfer): LiveTransfer {
  return {
    direction: t.direction,
    path: t.path,
    bytes: t.counter.bytes,
    startedAt: t.startedAt,
    ...(t.size === undefined ? {} : { size: t.size }),
  };
}
