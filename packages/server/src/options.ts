import type { SecureContextOptions } from 'node:tls';
import type { SessionUser } from '@ftpkit/session';
import type { StorageAdapter, StorageCapabilities, UploadMode } from '@ftpkit/storage';
import type { PublicAddressOption, TlsSessionReuse } from '@ftpkit/transport';
import type { Authorize } from './authorize.js';
import type { ConnectionInfo } from './events.js';
import type { BanList } from './ban-list.js';
import type { Logger } from './logger.js';
import { defaultMaxConnections } from './machine-limits.js';
import type { ProxyProtocolOptions } from './proxy-protocol.js';

/** The adapter every user shares, or a function choosing one per logged-in user (per-user roots). */
export type StorageOption = StorageAdapter | ((user: SessionUser, connection: ConnectionInfo) => StorageAdapter | Promise<StorageAdapter>);

/**
 * Checks a login. Return the user (name, readOnly, deny) to accept it, or null to refuse (530).
 * Anonymous login is whatever this function accepts for `anonymous`/`ftp`: nothing by default.
 * It never sees a socket; a throw counts as a refusal and is reported on 'error'.
 */
export type Authenticate = (
  user: string,
  password: string,
  connection: ConnectionInfo,
) => FtpUser | null | undefined | Promise<FtpUser | null | undefined>;

/** Passive mode (PASV/EPSV). */
export interface PassiveOptions {
  /** Address the listeners bind. Default: the control connection's local address. */
  host?: string | undefined;
  /**
   * Inclusive port range; each PASV/EPSV gets a free port of it chosen at random (a predictable
   * port lets a program on the client's address connect first). Default: the ports outside the
   * kernel's ephemeral range (`defaultPassivePortRange()` of `@ftpkit/transport`: 61000–65535 on
   * Linux by default, 32768–49151 on macOS and Windows), so passive listeners never compete with
   * outgoing connections or ports in TIME_WAIT for the ephemeral range.
   */
  ports?: readonly [number, number] | undefined;
  /** Address announced in 227 replies (fixed, or chosen per client). Default: the control connection's local address. */
  publicAddress?: PublicAddressOption | undefined;
}

/** Active mode (PORT/EPRT). */
export interface ActiveOptions {
  /**
   * Connect from control port minus one (port 20 for 21, RFC 959 §3.2) when the process may bind
   * it; otherwise from an ephemeral port. Default false (ephemeral).
   */
  sourcePortMinusOne?: boolean | undefined;
}

/** Every limit, with its default. */
export interface Limits {
  /**
   * Connections at once. When full, the connection that has waited longest without logging in is
   * closed (421) to make room, so idle half-open connections cannot lock users out; when every
   * connection is logged in, the new one gets 421. Default: sized for the machine
   * ({@link defaultMaxConnections}: open-file limit and memory, 16..10 000).
   */
  maxConnections: number;
  /**
   * Connections at once from one IP address; the next one gets 421. 0 = no per-address cap.
   * Default 0: a NAT'd office, a parallel client or a burst of uploads from one host shares one
   * address; abuse is contained by the login timeout, failed-login delays and bans, and eviction
   * of connections that have not logged in (see docs/security.md).
   */
  maxConnectionsPerIp: number;
  /** Time from connect to a successful login before 421 and close (slowloris). Default 60 000 ms. */
  loginTimeoutMs: number;
  /** Control connection idle time before 421 and close (not counted while a transfer runs). Default 300 000 ms. */
  idleTimeoutMs: number;
  /** Wait for a data connection (accept/connect), and longest stall of a running transfer. Default 30 000 ms. */
  dataTimeoutMs: number;
  /** Longest command line, bytes. Default 4096. */
  maxLineLength: number;
  /** Delay before answering a failed login; it grows linearly with each failure on the connection (capped at 10×). Default 1000 ms. */
  loginFailureDelayMs: number;
  /**
   * Command lines per second per session (burst: five times that); beyond it the connection is
   * read more slowly. 0 = unlimited. Default 2000.
   */
  maxCommandsPerSecond: number;
  /** Lines an over-the-control-connection listing (STAT <path>) may have. Default 10 000. */
  maxControlListingLines: number;
  /** Failed logins from one IP address (within `loginBanMs`) before it is refused. Default 10. */
  maxLoginFailuresPerIp: number;
  /** How long such an address is refused (421 on connect, logins fail). Default 600 000 ms. */
  loginBanMs: number;
  /** Download bandwidth per session, bytes/s; 0 = unlimited. Default 0. */
  downloadBytesPerSecond: number;
  /** Upload bandwidth per session, bytes/s; 0 = unlimited. Default 0. */
  uploadBytesPerSecond: number;
  /**
   * Share of the passive port range, in percent, that one user may hold at once across all its
   * sessions, at least 4 ports. A port is held from PASV/EPSV until a transfer takes its data
   * connection (or the listener expires after `dataTimeoutMs`), and counts once its session has
   * waited more than 2 s for a data connection (a PASV replacing an unused listener does not
   * restart that clock), so bursts of real transfers never meet the cap. Beyond it PASV/EPSV
   * answer 425 and a warning is logged. Each session also holds at most one port: a new PASV/EPSV
   * closes the previous listener. 0 = no cap. Default 25.
   */
  maxPassivePortsPerUserPercent: number;
  /** The same share for one client address (all users together). 0 = no cap. Default 25. */
  maxPassivePortsPerIpPercent: number;
  /**
   * Longest wait of an upload, DELE or RNTO for a file another session is using before 450; 0 =
   * answer 450 at once (downloads never wait). See docs/production.md. Default 10 000 ms.
   */
  pathLockWaitMs: number;
}

/** Defaults of {@link Limits}. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxConnections: defaultMaxConnections(),
  maxConnectionsPerIp: 0,
  loginTimeoutMs: 60_000,
  idleTimeoutMs: 300_000,
  dataTimeoutMs: 30_000,
  maxLineLength: 4096,
  loginFailureDelayMs: 1000,
  maxControlListingLines: 10_000,
  maxCommandsPerSecond: 2000,
  maxLoginFailuresPerIp: 10,
  loginBanMs: 600_000,
  downloadBytesPerSecond: 0,
  uploadBytesPerSecond: 0,
  maxPassivePortsPerUserPercent: 25,
  maxPassivePortsPerIpPercent: 25,
  pathLockWaitMs: 10_000,
});

/**
 * What `authenticate` may return: the session's user plus per-user bandwidth limits, shared by
 * all of that user's sessions (bytes/s; 0 or absent = unlimited).
 */
export interface FtpUser extends SessionUser {
  downloadBytesPerSecond?: number | undefined;
  uploadBytesPerSecond?: number | undefined;
  /** A storage quota, kept per user name across all of that user's sessions. Default: none. */
  quota?: UserQuota | undefined;
}

/**
 * A per-user storage quota. Usage is learnt once per user name (at the first login since the
 * server started) and then kept up to date by the server itself: uploads book their bytes as they
 * arrive, so parallel uploads from many sessions can never together pass the limit; the booking
 * is settled to what storage holds when an upload ends (a failed atomic upload gives everything
 * back); DELE, RNTO over a file and RMD give back what goes away; MKD costs `directoryBytes`.
 * Past the limit an upload stops with 552 (StorageError EDQUOT) and what was written stays or
 * goes per the upload mode; an MKD that does not fit gets 552 and nothing is created.
 * Changes made to the storage behind the server's back are not seen until it restarts.
 */
export interface UserQuota {
  /** Most bytes the user may store: file sizes plus `directoryBytes` per directory. */
  limitBytes: number;
  /** What one directory counts for (MKD takes it, RMD gives it back). Default 4096, the size of a directory on ext4; 0 makes directories free. */
  directoryBytes?: number | undefined;
  /**
   * What the user stores already, asked once per user name, never per upload. Default: one walk
   * of the user's storage (file sizes plus `directoryBytes` per directory, at most 1,000,000
   * entries; a failed or too big walk is retried on the next upload or MKD, which gets 451).
   */
  usedBytes?: (() => number | Promise<number>) | undefined;
}

/**
 * FTPS (RFC 4217): explicit `AUTH TLS` on the control connection, `PROT P` data connections, and
 * implicit TLS through {@link FtpServer.listenImplicitTls}.
 */
export interface TlsOptions {
  /**
   * Certificate and key (any `node:tls` context options). A function is called for every new
   * connection, so replacing the files (and reloading) takes effect without dropping sessions.
   */
  context: SecureContextOptions | (() => SecureContextOptions);
  /**
   * Whether PROT P data connections must resume the control connection's TLS session (RFC 4217
   * §10.2), which only the client holding the control connection can do. `'require'`: every data
   * connection must. `'prefer'`: a fresh handshake is accepted until the client has resumed once
   * on this control connection, refused from then on (so clients that cannot resume, such as
   * Python's ftplib, still work, and one that can is protected from its first resumption on).
   * `'off'`: never checked. Default 'prefer'.
   */
  sessionReuse?: TlsSessionReuse | undefined;
  /** Refuse USER/PASS until AUTH TLS (530/534). Default false. */
  requireTls?: boolean | undefined;
  /** Refuse transfers unless PROT P (521). Default false. */
  requireTlsData?: boolean | undefined;
  /** TLS handshake timeout (control and data). Default 10 000 ms. */
  handshakeTimeoutMs?: number | undefined;
}

/** Options of {@link createFtpServer}. */
export interface FtpServerOptions {
  storage: StorageOption;
  /**
   * With `storage` as a function of the user: which optional members its adapters have, so FEAT,
   * HELP and the dispatcher offer MFMT and SITE CHMOD (a fixed adapter is inspected instead).
   * An adapter that then lacks the member answers 502. Default: neither.
   */
  storageCapabilities?: Partial<StorageCapabilities> | undefined;
  /** Default: refuse every login. */
  authenticate?: Authenticate | undefined;
  /** Asked before each upload, download, DELE and RNTO (pre-operation hooks). Default: everything is allowed. */
  authorize?: Authorize | undefined;
  passive?: PassiveOptions | undefined;
  active?: ActiveOptions | undefined;
  limits?: Partial<Limits> | undefined;
  /** How STOR/APPE land in storage. Default 'resumable'. */
  uploadMode?: UploadMode | undefined;
  /** A pino logger (or anything with the same methods). Default: silent. */
  logger?: Logger | undefined;
  /** Text of the 220 greeting. Default: the session's. */
  greeting?: string | undefined;
  tls?: TlsOptions | undefined;
  /** Where failed logins are counted per IP. Default: in memory, per `limits.maxLoginFailuresPerIp` and `limits.loginBanMs`. */
  banList?: BanList | undefined;
  /** The clock for LIST dates ("Mon DD HH:MM" vs "Mon DD  YYYY"). Default: `() => new Date()`. */
  now?: (() => Date) | undefined;
  /**
   * PROXY protocol on the control listeners (behind HAProxy, an AWS NLB...): the header's client
   * address replaces the balancer's everywhere (anti-hijack, anti-bounce, per-IP limits, bans,
   * logs, events). Default off.
   */
  proxyProtocol?: ProxyProtocolOptions | undefined;
}
