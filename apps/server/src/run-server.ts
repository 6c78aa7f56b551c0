import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createFtpServer, LoginUnavailableError, type Authenticate, type FtpServer, type FtpUser, type Logger, type StorageOption } from '@ftpkit/server';
import type { SessionUser } from '@ftpkit/session';
import { capabilitiesOf, type StorageAdapter, type StorageCapabilities } from '@ftpkit/storage';
import { localStorage } from '@ftpkit/storage-local';
import { ConfigError } from './config-error.js';
import { startHealthEndpoint, type HealthEndpoint } from './health.js';
import { startConsole, type ConsoleEndpoint } from './console/console-server.js';
import { generateToken } from './console/console-auth.js';
import { startMetricsEndpoint, type MetricsEndpoint } from './metrics.js';
import { dummyPasswordHash } from './password-hash.js';
import { createPasswordVerifier } from './password-verifier.js';
import type { ServerConfig, UserEntry } from './server-config.js';
import { isS3Url } from './s3-url.js';
import { createUserSessions, type UserSessions } from './user-sessions.js';
import { resolvePasvAddress } from './pasv-address.js';
import { createS3StorageOption } from './s3-storage-option.js';
import { createTlsSource } from './tls-source.js';
import { withExternalAuth } from './external-auth.js';
import { startHooks, type HookLocator, type RunningHooks } from './hooks-setup.js';
import { localSweepTargets, s3SweepTargets, sweepLeftovers, type SweepTarget } from './sweep-leftovers.js';

/** A started server and what to tell the person who started it. */
export interface RunningServer {
  server: FtpServer;
  address: AddressInfo;
  /** Lines for stdout: where, who, how to connect. */
  banner: string[];
  /** Re-read the TLS certificate and key (SIGHUP); undefined without TLS. */
  reloadTls: (() => void) | undefined;
  /**
   * Check new logins against `users` from now on (SIGHUP, users file); sessions already logged in
   * keep what they have. Throws {@link ConfigError} for what only a restart can take (a new s3:// root).
   */
  replaceUsers: (users: readonly UserEntry[]) => void;
  /** The health check (`--health`), if any. */
  health: HealthEndpoint | undefined;
  /** The web console (`--console`), if any. */
  console: ConsoleEndpoint | undefined;
  /** The Prometheus endpoint (`--metrics`), if any. */
  metrics: MetricsEndpoint | undefined;
  /** `--hook` runner, if any: close it after the server to let queued events go out (bounded). */
  hooks: RunningHooks | undefined;
}

const ANONYMOUS_NAMES = new Set(['anonymous', 'ftp']);

/** Local-storage adapters kept for reuse (one per root and mode); the oldest is dropped beyond it. */
const MAX_CACHED_ADAPTERS = 1000;

/** The storage as a function of the user, where it is, and what its adapters can do (MFMT, SITE CHMOD). */
interface MadeStorage {
  storage: StorageOption;
  where: string;
  capabilities: StorageCapabilities;
  /** Where to sweep leftovers of interrupted uploads at start. */
  sweep: SweepTarget[];
  /** Where a user's FTP path is stored, for hooks. */
  locate: HookLocator;
}

async function makeStorage(config: ServerConfig, logger: Logger): Promise<MadeStorage> {
  if (config.storage === 's3') {
    if (config.s3 === undefined) throw new ConfigError('--s3-bucket', 'is required with --storage s3');
    const s3 = await createS3StorageOption(config.s3, config.users, logger, config.sources);
    const sweep = s3SweepTargets(config, (root) => s3.storage({ name: 'ftp', ...(root === undefined ? {} : { root }) }));
    return { storage: s3.storage, where: s3.description, capabilities: capabilitiesOf(s3.storage({ name: 'ftp' })), sweep, locate: s3.locate };
  }
  if (config.storage === 'memory') {
    // Loaded only for this storage (memfs), like the AWS SDK for s3: a smaller process otherwise.
    const [{ memoryStorage }, { Volume }] = await Promise.all([import('@ftpkit/storage-memory'), import('memfs')]);
    const volume = new Volume();
    const cache = new Map<string, StorageAdapter>();
    const forUser = (root: string, readOnly: boolean): StorageAdapter => {
      const key = `${readOnly ? 'ro' : 'rw'}:${root}`;
      let adapter = cache.get(key);
      if (adapter === undefined) {
        adapter = memoryStorage({ volume, root, readOnly });
        cache.set(key, adapter);
      }
      return adapter;
    };
    return {
      storage: (user: SessionUser & { root?: string }) => forUser(user.root ?? '/', user.readOnly === true),
      where: 'memory (lost on exit)',
      capabilities: capabilitiesOf(forUser('/', false)),
      sweep: [],
      locate: () => undefined,
    };
  }
  mkdirSync(config.root, { recursive: true });
  // One adapter per root and mode, shared by that user's sessions: making one per login cost a
  // synchronous mkdir and /proc read on the event loop and a realpath of the root per session.
  const adapters = new Map<string, StorageAdapter>();
  return {
    storage: (user: SessionUser & { root?: string }) => {
      const root = user.root ?? config.root;
      const key = `${user.readOnly === true ? 'ro' : 'rw'}:${root}`;
      let adapter = adapters.get(key);
      if (adapter === undefined) {
        mkdirSync(root, { recursive: true });
        adapter = localStorage({ root, readOnly: user.readOnly === true });
        // Roots can come from an external authenticator, one per user: keep the most recent ones.
        if (adapters.size >= MAX_CACHED_ADAPTERS) adapters.delete(adapters.keys().next().value as string);
        adapters.set(key, adapter);
      }
      return adapter;
    },
    where: config.root,
    capabilities: capabilitiesOf(localStorage({ root: config.root })),
    sweep: localSweepTargets(config),
    locate: (user: SessionUser & { root?: string }, path: string) => ({ localPath: join(user.root ?? config.root, path) }),
  };
}

function memoryRoot(config: ServerConfig, root: string | undefined): string | undefined {
  if (root === undefined) return undefined;
  // Per-user roots of a memory volume are paths inside it, taken relative to --root.
  const rel = root.startsWith(config.root) ? root.slice(config.root.length) : root;
  return rel === '' ? '/' : rel;
}

/** The users logins are checked against; replaced as a whole when SIGHUP reloads the users file. */
interface UserTable {
  byName: Map<string, UserEntry>;
  /** A hash no password matches, of the cost of the users' own, for names that are not here. */
  dummy: string | undefined;
}

function userTable(users: readonly UserEntry[]): UserTable {
  // With hashed accounts, every other login also pays one hash of the same cost, so failing takes
  // as long for an unknown name (or a plain --user) as for an existing users-file account.
  const firstHash = users.find((u) => u.passwordHash !== undefined)?.passwordHash;
  return { byName: new Map(users.map((u) => [u.name, u])), dummy: firstHash === undefined ? undefined : dummyPasswordHash(firstHash) };
}

/** The session's user for a users-file entry: its root, quota, bandwidth and deny list. */
function ftpUserOf(config: ServerConfig, entry: UserEntry): FtpUser & { root?: string } {
  const user: FtpUser & { root?: string } = { name: entry.name, readOnly: entry.readOnly };
  // Memory and S3 take per-user roots below their own root; an s3:// root passes through as is.
  const root = config.storage === 'local' ? entry.root : memoryRoot(config, entry.root);
  if (root !== undefined) user.root = root;
  // The server measures usage once per user and keeps it up to date (no walk per upload).
  if (entry.quotaBytes !== undefined) user.quota = { limitBytes: entry.quotaBytes };
  if (entry.downloadBytesPerSecond !== undefined) user.downloadBytesPerSecond = entry.downloadBytesPerSecond;
  if (entry.uploadBytesPerSecond !== undefined) user.uploadBytesPerSecond = entry.uploadBytesPerSecond;
  if (entry.deny !== undefined) user.deny = entry.deny;
  return user;
}

function makeAuthenticate(config: ServerConfig, current: () => UserTable, sessions: UserSessions, logger: Logger): Authenticate {
  const verifier = createPasswordVerifier();
  return async (name, password, connection) => {
    const { byName, dummy } = current();
    const entry = byName.get(name);
    const anonymous = entry === undefined && config.anonymous && ANONYMOUS_NAMES.has(name.toLowerCase());
    const hash = entry?.passwordHash ?? (anonymous ? undefined : dummy);
    const check = hash === undefined ? undefined : await verifier.verify(password, hash);
    if (check === 'busy') {
      logger.warn({ user: name, pending: verifier.pending }, 'login refused unchecked: password checks busy');
      return null;
    }
    if (entry !== undefined) {
      const ok = entry.passwordHash !== undefined ? check === 'match' : entry.password === password;
      if (!ok) return null;
      if (!sessions.take(entry.name, connection.id, entry.maxSessions)) {
        logger.warn({ user: entry.name, sessions: sessions.count(entry.name), maxSessions: entry.maxSessions }, 'login refused: the user has maxSessions sessions already');
        // 421, not a wrong password: a user at their limit is never banned for it.
        throw new LoginUnavailableError(`user ${entry.name} has ${entry.maxSessions} sessions already`, { reason: 'too-many-sessions' });
      }
      return ftpUserOf(config, entry);
    }
    if (anonymous) {
      const user: FtpUser & { root?: string } = { name: 'anonymous', readOnly: !config.anonymousWrite };
      const root = config.storage === 'local' ? config.anonymousRoot : memoryRoot(config, config.anonymousRoot);
      if (root !== undefined) user.root = root;
      return user;
    }
    return null;
  };
}

/** Build and start the server described by `config`. Listens before resolving. */
export async function runServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const users = [...config.users];
  let generatedPassword: string | undefined;
  if (config.defaultUser) {
    generatedPassword = randomBytes(12).toString('base64url');
    users.push({ name: 'ftp', password: generatedPassword, readOnly: false });
  }
  let table = userTable(users);
  const sessions = createUserSessions();
  // The S3 storage prepared a client for each s3:// root it was started with, and only those.
  const s3Roots = new Set(users.flatMap((u) => (u.root !== undefined && isS3Url(u.root) ? [u.root] : [])));
  const replaceUsers = (next: readonly UserEntry[]): void => {
    const stranger = next.find((u) => u.root !== undefined && isS3Url(u.root) && !s3Roots.has(u.root));
    if (stranger !== undefined) throw new ConfigError('--users', `user "${stranger.name}": a new s3:// root (${stranger.root}) takes a restart`);
    table = userTable(next);
  };
  const pasv = config.pasvAddress === undefined ? undefined : await resolvePasvAddress(config.pasvAddress, config.sources.pasvAddress ?? '--pasv-address');
  const { storage, where, capabilities, sweep, locate } = await makeStorage(config, logger);
  const hooks = startHooks(config, locate, logger);
  const authenticate = withExternalAuth(
    config,
    (name) => table.byName.has(name),
    makeAuthenticate(config, () => table, sessions, logger),
    (root) => memoryRoot(config, root.startsWith('/') ? root : `/${root}`),
    logger,
  );
  // Before serving: no upload of this run can be mistaken for a leftover.
  await sweepLeftovers(sweep, logger);
  const tlsSource = config.tls === undefined ? undefined : await createTlsSource(config.tls);
  const tlsReloads: Array<() => void> = [];
  const server = createFtpServer({
    ...(tlsSource === undefined || config.tls === undefined
      ? {}
      : {
          tls: {
            context: () => tlsSource.current(),
            sessionReuse: config.tls.sessionReuse,
            requireTls: config.tls.require,
            requireTlsData: config.tls.require,
          },
        }),
    storage,
    storageCapabilities: capabilities,
    authenticate,
    ...(hooks?.authorize === undefined ? {} : { authorize: hooks.authorize }),
    passive: {
      ...(config.pasvPorts === undefined ? {} : { ports: config.pasvPorts }),
      ...(pasv === undefined ? {} : { publicAddress: pasv.address }),
    },
    limits: config.limits,
    uploadMode: config.uploadMode,
    logger,
    ...(config.proxyProtocol === undefined ? {} : { proxyProtocol: { mode: config.proxyProtocol.mode, trusted: config.proxyProtocol.trusted } }),
  });
  server.on('connection-end', ({ connection }) => sessions.release(connection.id));
  const from = (key: keyof ServerConfig['sources'], flag: string): string => config.sources[key] ?? flag;
  hooks?.connect(server);
  let address: AddressInfo;
  try {
    address = await server.listen(config.port, config.host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(code === 'EADDRINUSE' || code === 'EACCES' ? from('port', '--port') : from('host', '--host'), `cannot listen on ${config.host}:${config.port} (${code})`);
  }
  let implicitPort: number | undefined;
  if (config.tls?.implicitPort !== undefined) {
    try {
      implicitPort = (await server.listenImplicitTls(config.tls.implicitPort, config.host)).port;
    } catch (err) {
      await server.close({ graceMs: 0 });
      throw new ConfigError(from('implicitTlsPort', '--implicit-tls-port'), `cannot listen on ${config.host}:${config.tls.implicitPort} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  let metrics: MetricsEndpoint | undefined;
  if (config.metrics !== undefined) {
    try {
      metrics = await startMetricsEndpoint(server, config.metrics, hooks?.runner);
    } catch (err) {
      await server.close({ graceMs: 0 });
      throw new ConfigError(from('metrics', '--metrics'), `cannot listen on ${config.metrics.host}:${config.metrics.port} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  let health: HealthEndpoint | undefined;
  if (config.health !== undefined) {
    try {
      health = await startHealthEndpoint(server, config.health);
    } catch (err) {
      await server.close({ graceMs: 0 });
      await metrics?.close();
      throw new ConfigError(from('health', '--health'), `cannot listen on ${config.health.host}:${config.health.port} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  let consoleEndpoint: ConsoleEndpoint | undefined;
  let consoleToken: string | undefined;
  if (config.console !== undefined) {
    consoleToken = config.console.token ?? generateToken();
    try {
      consoleEndpoint = await startConsole(server, {
        where: config.console.where,
        token: consoleToken,
        logger,
        tls: tlsSource === undefined ? undefined : { current: () => tlsSource.current(), onReload: (listener) => tlsReloads.push(listener) },
      });
    } catch (err) {
      await server.close({ graceMs: 0 });
      await metrics?.close();
      await health?.close();
      throw new ConfigError(from('console', '--console'), `cannot listen on ${config.console.where.host}:${config.console.where.port} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  // Attached once every port is bound: a failed listen is reported by the one line above, not also as a logged stack.
  server.on('error', (err) => logger.error({ err }, 'server error'));
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const banner = [`ftpkit-server listening on ${hostForUrl}:${address.port}, serving ${where}, uploads ${config.uploadMode}`];
  if (generatedPassword !== undefined) {
    banner.push(`user: ftp  password: ${generatedPassword}`);
    banner.push(`connect: ftp://ftp:${generatedPassword}@${hostForUrl}:${address.port}/`);
  } else {
    for (const u of users) banner.push(`user: ${u.name}${u.readOnly ? ' (read-only)' : ''}`);
    if (config.usersIgnored.length > 0) {
      banner.push(`users: not used: ${config.usersIgnored.join(', ')} (users come from one level: flags, else FTPKIT_* variables, else the config file)`);
    }
    banner.push(`connect: ftp://${hostForUrl}:${address.port}/`);
  }
  if (tlsSource !== undefined) {
    banner.push(`${tlsSource.description}${config.tls?.require === true ? '; TLS required' : ''}`);
    if (implicitPort !== undefined) banner.push(`implicit FTPS: ftps://${hostForUrl}:${implicitPort}/`);
  }
  if (metrics !== undefined) {
    const m = metrics.address;
    banner.push(`metrics: http://${m.family === 'IPv6' ? `[${m.address}]` : m.address}:${m.port}/metrics`);
  }
  if (health !== undefined) {
    const h = health.address;
    banner.push(`health: http://${h.family === 'IPv6' ? `[${h.address}]` : h.address}:${h.port}/`);
  }
  if (consoleEndpoint !== undefined) {
    banner.push(`console: ${consoleEndpoint.url}${config.console?.token === undefined ? `  token: ${consoleToken}` : ''}`);
  }
  if (pasv !== undefined) banner.push(`passive address: ${pasv.address}${pasv.name === undefined ? '' : ` (${pasv.name}, resolved at start)`}`);
  if (config.proxyProtocol !== undefined) banner.push(`PROXY protocol ${config.proxyProtocol.mode} required, trusted: ${config.proxyProtocol.trusted.join(', ')}`);
  if (config.anonymous) banner.push(`anonymous login enabled (${config.anonymousWrite ? 'read-write' : 'read-only'}${config.anonymousRoot === undefined ? '' : `, in ${config.anonymousRoot}`})`);
  if (hooks !== undefined) banner.push(`hooks: ${config.hooks.hooks.map((h) => h.events.join(',')).join('; ')}`);
  if (config.auth !== undefined) banner.push(`external authentication: ${new URL(config.auth.url).origin}${config.auth.cacheMs > 0 ? `, cached ${config.auth.cacheMs} ms` : ''}`);
  const reloadTls =
    tlsSource === undefined
      ? undefined
      : () => {
          tlsSource.reload();
          for (const listener of tlsReloads) listener();
        };
  return { server, address, banner, reloadTls, replaceUsers, metrics, health, console: consoleEndpoint, hooks };
}
