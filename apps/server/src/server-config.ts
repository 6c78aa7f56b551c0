import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_LIMITS, parseCidrList, type Limits } from '@ftpkit/server';
import { ConfigError } from './config-error.js';
import { parseMetricsAddress, type MetricsAddress } from './endpoint-address.js';
import { SETTINGS, type SettingKey } from './settings.js';
import { checkLocalRoot, checkNotServed, isInside, realPathOf, type ServedRoot } from './served-paths.js';
import { BUCKET_NAME, isS3Url } from './s3-url.js';
import { parseUsersFile, type UserEntry } from './users-file.js';
import { requireOnDemand } from './require-on-demand.js';
import { millisSetting, parseAuth, parseHooks, positiveInteger, readHookSecret, type AuthConfig, type HooksConfig } from './hooks-config.js';

export { isS3Url } from './s3-url.js';
export type { UserEntry } from './users-file.js';

export type StorageKind = 'local' | 'memory' | 's3';

/** `--storage s3` settings (`--s3-*`). Credentials are not here: the AWS SDK's default chain finds them. */
export interface S3Config {
  bucket: string;
  /** Key prefix served as `/`; `''` for the whole bucket. */
  prefix: string;
  endpoint: string | undefined;
  region: string | undefined;
  forcePathStyle: boolean;
  /** Undefined: the SDK decides (AWS_REQUEST_CHECKSUM_CALCULATION, ~/.aws/config, else when-supported). */
  checksum: 'when-supported' | 'when-required' | undefined;
  /** Start-up sweep: incomplete multipart uploads older than this (ms) are aborted. */
  staleUploadMs: number;
}
export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Everything ftpkit-server runs with, resolved and checked. */
export interface ServerConfig {
  host: string;
  port: number;
  root: string;
  storage: StorageKind;
  users: UserEntry[];
  /** No user was configured: the default `ftp` user with a random password is created. */
  defaultUser: boolean;
  /** The files `users` was read from (`--user-file`, `--users`): SIGHUP re-reads them. */
  usersFiles: string[];
  anonymous: boolean;
  anonymousWrite: boolean;
  /** Where anonymous logins are served (`--anonymous-root`); undefined: `root`. */
  anonymousRoot: string | undefined;
  /** The user to drop root privileges to once the ports are bound (`--run-as`). */
  runAs: string | undefined;
  pasvPorts: [number, number] | undefined;
  pasvAddress: string | undefined;
  uploadMode: 'resumable' | 'atomic';
  logLevel: LogLevel;
  logFormat: LogFormat;
  limits: Partial<Limits>;
  tls: TlsConfig | undefined;
  /** PROXY protocol on the control port (`--proxy-protocol`, `--proxy-trusted`); undefined when off. */
  proxyProtocol: { mode: 'v1' | 'v2' | 'any'; trusted: string[] } | undefined;
  /** Where the HTTP health check listens (`--health`), if anywhere. */
  health: MetricsAddress | undefined;
  /** The web console (`--console`) and its token (`--console-token-file`; undefined: generate one). */
  console: { where: MetricsAddress; token: string | undefined } | undefined;
  /** How long running transfers may finish after SIGTERM (`--grace-ms`). */
  graceMs: number;
  /** After SIGTERM, how long to keep accepting with health 503 before closing the listener (`--drain-delay-ms`). */
  drainDelayMs: number;
  /** Where the Prometheus endpoint listens (`--metrics`), if anywhere. */
  metrics: MetricsAddress | undefined;
  /** Present exactly when `storage` is `s3`. */
  s3: S3Config | undefined;
  /**
   * Where each given setting came from, as errors name it: `--tls-cert`, `FTPKIT_TLS_CERT` or
   * `config key "tlsCert"`. Errors found after resolving (a file that cannot be read, a port in
   * use) name the place the operator wrote the value.
   */
  sources: Partial<Record<SettingKey, string>>;
  /** User settings given at a lower level than the one that supplied the users, so not used. */
  usersIgnored: string[];
  /** `--hook`, `--hook-secret-file`. */
  hooks: HooksConfig;
  /** `--auth-url`; undefined when off. */
  auth: AuthConfig | undefined;
}

/** FTPS settings, present when TLS is on. */
export interface TlsConfig {
  /** Files, or a self-signed pair generated into `dir`; `*From` names the setting that gave each path, for errors. */
  source: { kind: 'files'; cert: string; key: string; certFrom: string; keyFrom: string } | { kind: 'self-signed'; dir: string; dirFrom: string };
  implicitPort: number | undefined;
  require: boolean;
  sessionReuse: 'off' | 'prefer' | 'require';
}

/** Raw flag values as commander gives them (camelCase keys). */
export type FlagValues = Partial<Record<SettingKey | 'config', unknown>>;

interface Raw {
  value: unknown;
  /** Where it came from, for error messages. */
  source: string;
  /** Which level it came from: flags win over the environment, which wins over the file. */
  level?: 0 | 1 | 2;
  /** Directory relative paths resolve against. */
  base: string;
}

/** Every limit the server knows, so the config file can set each one. */
const LIMIT_KEYS = Object.keys(DEFAULT_LIMITS) as ReadonlyArray<keyof Limits>;

function loadFile(path: string, source: string, allowList = false): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(source, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    // Only a config or users file needs the YAML parser (JSON is YAML); most runs have none.
    const { parse: parseYaml } = requireOnDemand('yaml') as typeof import('yaml');
    parsed = parseYaml(text);
  } catch (err) {
    throw new ConfigError(source, `${path} is not valid JSON or YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (allowList && Array.isArray(parsed)) return parsed as unknown as Record<string, unknown>;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(source, `${path} must hold a mapping of settings`);
  return parsed as Record<string, unknown>;
}

/** Flags, then variables, then config keys: the order `usersIgnored` lists them in. */
function levelRank(source: string): number {
  return source.startsWith('--') ? 0 : source.startsWith('FTPKIT_') ? 1 : 2;
}

/** How `key` is spelled where `raw` came from (flag, variable or config key), for messages. */
function nameLike(raw: Raw, key: SettingKey): string {
  const setting = SETTINGS.find((s) => s.key === key);
  if (setting === undefined || raw.level === 2) return key;
  return raw.level === 1 ? setting.env : (setting.flag.split(' ')[0] ?? key);
}

function asText(raw: Raw): string {
  if (typeof raw.value === 'string' && raw.value.trim() !== '') return raw.value.trim();
  if (typeof raw.value === 'number') return String(raw.value);
  throw new ConfigError(raw.source, 'must be a non-empty string');
}

function asBool(raw: Raw): boolean {
  if (typeof raw.value === 'boolean') return raw.value;
  const text = String(raw.value).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(text)) return false;
  throw new ConfigError(raw.source, `must be true or false (got ${JSON.stringify(raw.value)})`);
}

function asPort(raw: Raw, min = 0): number {
  const text = String(raw.value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < min || n > 65535) {
    throw new ConfigError(raw.source, `must be an integer ${min}-65535 (got ${JSON.stringify(raw.value)})`);
  }
  return n;
}

function asChoice<T extends string>(raw: Raw, choices: readonly T[]): T {
  const text = String(raw.value).trim();
  if (!(choices as readonly string[]).includes(text)) {
    throw new ConfigError(raw.source, `must be one of ${choices.join(', ')} (got ${JSON.stringify(raw.value)})`);
  }
  return text as T;
}

function asMetricsAddress(raw: Raw): MetricsAddress {
  const where = parseMetricsAddress(asText(raw));
  if (where === undefined) throw new ConfigError(raw.source, `must be HOST:PORT, e.g. 127.0.0.1:9100 (got ${JSON.stringify(raw.value)})`);
  return where;
}

function asRange(raw: Raw): [number, number] {
  let min: unknown;
  let max: unknown;
  if (Array.isArray(raw.value) && raw.value.length === 2) [min, max] = raw.value as unknown[];
  else {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(String(raw.value));
    if (!m) throw new ConfigError(raw.source, `must be MIN-MAX (got ${JSON.stringify(raw.value)})`);
    [min, max] = [m[1], m[2]];
  }
  const lo = asPort({ ...raw, value: min }, 1024);
  const hi = asPort({ ...raw, value: max }, 1024);
  if (lo > hi) throw new ConfigError(raw.source, `MIN must not exceed MAX (got ${lo}-${hi})`);
  return [lo, hi];
}

function parsePlainUser(text: string, source: string): UserEntry {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new ConfigError(source, `must be NAME:PASSWORD (got ${JSON.stringify(text)})`);
  return { name: text.slice(0, colon), password: text.slice(colon + 1), readOnly: false };
}

function plainUsers(raw: Raw, fromEnv: boolean): UserEntry[] {
  const values: unknown[] = Array.isArray(raw.value) ? raw.value : fromEnv ? String(raw.value).split(/\s+/).filter(Boolean) : [raw.value];
  return values.map((v) => {
    if (typeof v !== 'string') throw new ConfigError(raw.source, 'must be NAME:PASSWORD text');
    return parsePlainUser(v, raw.source);
  });
}

/** A `--user-file`: one `NAME:PASSWORD` a line; blank lines and `#` comments are skipped. */
function loadUserFile(path: string, source: string): UserEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(source, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const users: UserEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const colon = line.indexOf(':');
    // The line itself is never echoed: it holds a password.
    if (colon <= 0 || colon === line.length - 1) throw new ConfigError(source, `${path} line ${i + 1} must be NAME:PASSWORD`);
    const name = line.slice(0, colon).trim();
    if (name === '' || /\s/.test(name)) throw new ConfigError(source, `${path} line ${i + 1} must be NAME:PASSWORD`);
    users.push({ name, password: line.slice(colon + 1), readOnly: false });
  });
  // Never a silent fallback to the generated user with a random password.
  if (users.length === 0) throw new ConfigError(source, `${path} lists no users`);
  return users;
}

/** A users file: a list (or `{ users: [...] }`) of `{ name, password (scrypt hash), root?, readOnly?, ... }`, checked strictly. */
export function loadUsersFile(path: string, source: string, serverRoot: string, realPaths = false): UserEntry[] {
  return parseUsersFile(loadFile(path, source, true), path, source, serverRoot, realPaths);
}

function asBucket(raw: Raw): string {
  const name = asText(raw);
  if (!BUCKET_NAME.test(name)) throw new ConfigError(raw.source, `must be a bucket name (3-63 of a-z 0-9 . -), got ${JSON.stringify(raw.value)}`);
  return name;
}

function asPrefix(raw: Raw): string {
  const text = String(raw.value).trim().replace(/^\/+/, '');
  if (text === '') return '';
  if (text.split('/').some((segment, i, all) => (segment === '' && i < all.length - 1) || segment === '.' || segment === '..')) {
    throw new ConfigError(raw.source, `must be a key prefix like users/ (no empty, . or .. segments), got ${JSON.stringify(raw.value)}`);
  }
  return text.endsWith('/') ? text : `${text}/`;
}

function asEndpoint(raw: Raw): string {
  const text = asText(raw);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(raw.source, `must be an http:// or https:// URL (got ${JSON.stringify(raw.value)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(raw.source, `must be an http:// or https:// URL (got ${JSON.stringify(raw.value)})`);
  return text;
}

function resolveS3(
  storage: StorageKind,
  pick: (key: SettingKey) => Raw | undefined,
  get: <T>(key: SettingKey, parse: (raw: Raw) => T, fallback: T) => T,
): S3Config | undefined {
  const keys = ['s3Bucket', 's3Prefix', 's3Endpoint', 's3Region', 's3ForcePathStyle', 's3Checksum', 's3StaleUploadMs'] as const;
  if (storage !== 's3') {
    for (const key of keys) {
      const stray = pick(key);
      if (stray !== undefined) throw new ConfigError(stray.source, 'needs --storage s3');
    }
    return undefined;
  }
  const bucketRaw = pick('s3Bucket');
  if (bucketRaw === undefined) throw new ConfigError('--s3-bucket', 'is required with --storage s3 (or FTPKIT_S3_BUCKET, config key "s3Bucket")');
  return {
    bucket: asBucket(bucketRaw),
    prefix: get('s3Prefix', asPrefix, ''),
    endpoint: get<string | undefined>('s3Endpoint', asEndpoint, undefined),
    region: get<string | undefined>('s3Region', asText, undefined),
    forcePathStyle: get('s3ForcePathStyle', asBool, false),
    checksum: get<S3Config['checksum']>('s3Checksum', (r) => asChoice(r, ['when-supported', 'when-required'] as const), undefined),
    staleUploadMs: get('s3StaleUploadMs', asMillis, 24 * 60 * 60 * 1000),
  };
}

function defaultLogFormat(): LogFormat {
  return process.stderr.isTTY ? 'pretty' : 'json';
}

/**
 * Merge defaults, the config file, `FTPKIT_*` variables and flags (flags win, then the
 * environment, then the file) and check every value. Throws {@link ConfigError} naming the flag,
 * variable or config key at fault.
 */
export function resolveConfig(flags: FlagValues, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ServerConfig {
  let file: Record<string, unknown> = {};
  let fileBase = cwd;
  let fileName = '';
  const configPath = flags.config ?? env.FTPKIT_CONFIG;
  if (configPath !== undefined && configPath !== '') {
    const source = flags.config !== undefined ? '--config' : 'FTPKIT_CONFIG';
    const path = resolve(cwd, String(configPath));
    file = loadFile(path, source);
    fileBase = dirname(path);
    fileName = path;
  }
  const known = new Set<string>([...SETTINGS.map((s) => s.key), 'limits', 'hooks', 'auth']);
  for (const key of Object.keys(file)) {
    if (!known.has(key)) throw new ConfigError(`config key "${key}"`, `unknown setting in ${fileName}`);
  }

  const sources: Partial<Record<SettingKey, string>> = {};
  /** Every level that gives `key`, the winning one first. */
  const levelsOf = (key: SettingKey): Raw[] => {
    const setting = SETTINGS.find((s) => s.key === key);
    if (setting === undefined) return [];
    const flagName = setting.flag.split(' ')[0] ?? key;
    const found: Raw[] = [];
    if (flags[key] !== undefined) found.push({ value: flags[key], source: flagName, level: 0, base: cwd });
    if (env[setting.env] !== undefined && env[setting.env] !== '') found.push({ value: env[setting.env], source: setting.env, level: 1, base: cwd });
    if (file[key] !== undefined) found.push({ value: file[key], source: `config key "${key}"`, level: 2, base: fileBase });
    return found;
  };
  const pick = (key: SettingKey): Raw | undefined => {
    const raw = levelsOf(key)[0];
    if (raw !== undefined) sources[key] = raw.source;
    return raw;
  };

  const get = <T>(key: SettingKey, parse: (raw: Raw) => T, fallback: T): T => {
    const raw = pick(key);
    return raw === undefined ? fallback : parse(raw);
  };
  const rootRaw = pick('root');
  const root = rootRaw === undefined ? resolve(cwd, 'ftp-data') : resolve(rootRaw.base, asText(rootRaw));
  const storage = get('storage', (r) => asChoice(r, ['local', 'memory', 's3'] as const), 'local');
  if (storage === 'local') checkLocalRoot(root, rootRaw?.source);

  // Users are ranked like any setting, not merged across levels: the highest level (flags, then
  // the environment, then the file) that names any of user, userFile or users supplies them all,
  // so `--user test:pw` replaces the config file's users file instead of adding an account to it.
  const userKeys = ['user', 'userFile', 'users'] as const;
  const givenUsers = userKeys.map((key) => pick(key));
  const userLevel = Math.min(...givenUsers.map((raw) => raw?.level ?? 3));
  const usersIgnored = userKeys.flatMap((key) => levelsOf(key).filter((raw) => (raw.level ?? 3) > userLevel).map((raw) => raw.source)).sort(
    (a, b) => levelRank(a) - levelRank(b),
  );
  const [userRaw, userFileRaw, usersRaw] = givenUsers.map((raw) => (raw !== undefined && raw.level === userLevel ? raw : undefined));
  const users: UserEntry[] = [];
  if (userRaw !== undefined) users.push(...plainUsers(userRaw, userRaw.source.startsWith('FTPKIT_')));
  const usersFiles: string[] = [];
  if (userFileRaw !== undefined) {
    const path = resolve(userFileRaw.base, asText(userFileRaw));
    usersFiles.push(path);
    users.push(...loadUserFile(path, userFileRaw.source));
  }
  if (usersRaw !== undefined) {
    const path = resolve(usersRaw.base, asText(usersRaw));
    usersFiles.push(path);
    users.push(...loadUsersFile(path, usersRaw.source, root, storage === 'local'));
  }
  const seen = new Set<string>();
  for (const u of users) {
    if (seen.has(u.name)) throw new ConfigError((userRaw ?? userFileRaw ?? usersRaw)?.source ?? '--user', `user "${u.name}" is defined twice`);
    seen.add(u.name);
  }

  const limits: Partial<Limits> = {};
  if (file.limits !== undefined) {
    if (typeof file.limits !== 'object' || file.limits === null) throw new ConfigError('config key "limits"', 'must be a mapping');
    for (const [k, v] of Object.entries(file.limits as Record<string, unknown>)) {
      if (!(LIMIT_KEYS as readonly string[]).includes(k)) throw new ConfigError(`config key "limits.${k}"`, `unknown limit (known: ${LIMIT_KEYS.join(', ')})`);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ConfigError(`config key "limits.${k}"`, 'must be a non-negative integer');
      limits[k as keyof Limits] = v;
    }
  }

  const anonymous = get('anonymous', asBool, false);
  const anonymousRoot = resolveAnonymousRoot(pick, anonymous, users, root, storage === 'local');
  // What clients can read from disk: a TLS key or the self-signed directory must be outside all of it.
  const served: ServedRoot[] = [{ path: root, what: '--root' }];
  if (storage === 'local') {
    for (const u of users) if (u.root !== undefined) served.push({ path: u.root, what: `the root of user "${u.name}"` });
    if (anonymousRoot !== undefined) served.push({ path: anonymousRoot, what: '--anonymous-root' });
  }
  const tls = resolveTls(pick, get, cwd, served);
  const pasvAddressRaw = pick('pasvAddress');
  const s3 = resolveS3(storage, pick, get);
  if (storage !== 's3') {
    const s3User = users.find((u) => u.root !== undefined && isS3Url(u.root));
    if (s3User !== undefined) throw new ConfigError(usersRaw?.source ?? '--users', `user "${s3User.name}" has an s3:// root, which needs --storage s3`);
  }

  return {
    host: get('host', asText, '127.0.0.1'),
    port: get('port', (r) => asPort(r), 2121),
    root,
    storage,
    users,
    defaultUser: users.length === 0 && !anonymous,
    usersFiles,
    anonymous,
    anonymousWrite: get('anonymousWrite', asBool, false),
    anonymousRoot,
    runAs: get<string | undefined>('runAs', asText, undefined),
    pasvPorts: get<[number, number] | undefined>('pasvPorts', asRange, undefined),
    pasvAddress: pasvAddressRaw === undefined ? undefined : asText(pasvAddressRaw),
    uploadMode: get('uploadMode', (r) => asChoice(r, ['resumable', 'atomic'] as const), 'resumable'),
    logLevel: get('logLevel', (r) => asChoice(r, ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const), 'info'),
    logFormat: get('logFormat', (r) => asChoice(r, ['json', 'pretty'] as const), defaultLogFormat()),
    limits,
    tls,
    metrics: get<MetricsAddress | undefined>('metrics', asMetricsAddress, undefined),
    proxyProtocol: resolveProxy(pick),
    health: get<MetricsAddress | undefined>('health', asMetricsAddress, undefined),
    console: resolveConsole(pick),
    graceMs: get('graceMs', asMillis, 10_000),
    drainDelayMs: get('drainDelayMs', asMillis, 0),
    s3,
    sources,
    usersIgnored,
    ...resolveHooksAndAuth(pick, file, fileBase),
  };
}

function resolveConsole(pick: (key: SettingKey) => Raw | undefined): ServerConfig['console'] {
  const whereRaw = pick('console');
  const tokenRaw = pick('consoleTokenFile');
  if (whereRaw === undefined) {
    if (tokenRaw !== undefined) throw new ConfigError(tokenRaw.source, 'needs --console HOST:PORT');
    return undefined;
  }
  // A bare port binds loopback: the console is for the operator on this machine unless told otherwise.
  const text = asText(whereRaw);
  const where = /^\d{1,5}$/.test(text) ? parseMetricsAddress(`127.0.0.1:${text}`) : parseMetricsAddress(text);
  if (where === undefined) throw new ConfigError(whereRaw.source, `must be HOST:PORT or PORT, e.g. 127.0.0.1:8021 (got ${JSON.stringify(whereRaw.value)})`);
  if (tokenRaw === undefined) return { where, token: undefined };
  const path = resolve(tokenRaw.base, asText(tokenRaw));
  let token: string;
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(tokenRaw.source, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (token.length < 16) throw new ConfigError(tokenRaw.source, `the token in ${path} is too short (at least 16 characters)`);
  return { where, token };
}

function resolveHooksAndAuth(pick: (key: SettingKey) => Raw | undefined, file: Record<string, unknown>, fileBase: string): Pick<ServerConfig, 'hooks' | 'auth'> {
  const hookRaw = pick('hook') ?? (file.hooks === undefined ? undefined : { value: file.hooks, source: 'config key "hooks"', base: fileBase });
  const hooks = parseHooks(hookRaw);
  const hooksConfig: HooksConfig = {
    hooks,
    secret: readHookSecret(pick('hookSecretFile'), hooks),
    timeoutMs: Math.max(1, millisSetting(pick('hookTimeoutMs'), 10_000)),
    queueSize: positiveInteger(pick('hookQueueSize'), 1000),
  };
  return { hooks: hooksConfig, auth: parseAuth(pick('authUrl'), pick('authCacheMs'), file.auth) };
}

function asMillis(raw: Raw): number {
  const text = String(raw.value).trim();
  if (!/^\d+$/.test(text) || Number(text) > 86_400_000) throw new ConfigError(raw.source, `must be milliseconds, 0-86400000 (got ${JSON.stringify(raw.value)})`);
  return Number(text);
}

function resolveProxy(pick: (key: SettingKey) => Raw | undefined): ServerConfig['proxyProtocol'] {
  const modeRaw = pick('proxyProtocol');
  const trustedRaw = pick('proxyTrusted');
  const mode = modeRaw === undefined ? 'off' : asChoice(modeRaw, ['off', 'v1', 'v2', 'any'] as const);
  if (mode === 'off') {
    if (trustedRaw !== undefined) throw new ConfigError(trustedRaw.source, 'needs --proxy-protocol v1, v2 or any');
    return undefined;
  }
  if (trustedRaw === undefined) throw new ConfigError(modeRaw?.source ?? '--proxy-protocol', 'needs --proxy-trusted: the balancer addresses (CIDRs) allowed to send the header');
  const list = Array.isArray(trustedRaw.value) ? trustedRaw.value.map(String) : String(trustedRaw.value).split(',');
  const trusted = list.map((t) => t.trim()).filter((t) => t !== '');
  if (trusted.length === 0) throw new ConfigError(trustedRaw.source, 'must name at least one address or CIDR');
  try {
    parseCidrList(trusted);
  } catch (err) {
    throw new ConfigError(trustedRaw.source, (err as Error).message);
  }
  return { mode, trusted };
}

/**
 * `--anonymous-root`, below `--root`. Without it anonymous logins get `--root`, which is refused
 * when users have their own roots: anonymous would read every user's files.
 */
function resolveAnonymousRoot(
  pick: (key: SettingKey) => Raw | undefined,
  anonymous: boolean,
  users: readonly UserEntry[],
  root: string,
  realPaths: boolean,
): string | undefined {
  const raw = pick('anonymousRoot');
  if (raw === undefined) {
    const homed = users.find((u) => u.root !== undefined);
    if (anonymous && homed !== undefined) {
      throw new ConfigError(
        pick('anonymous')?.source ?? '--anonymous',
        `would serve all of --root, every user's files included (user "${homed.name}" has a root): give anonymous its own directory with --anonymous-root`,
      );
    }
    return undefined;
  }
  if (!anonymous) throw new ConfigError(raw.source, 'needs --anonymous');
  const written = asText(raw);
  const dir = resolve(root, written);
  const inside = realPaths ? isInside(realPathOf(root), realPathOf(dir)) : isInside(root, dir);
  if (!inside) throw new ConfigError(raw.source, `${JSON.stringify(written)} is outside --root (${root})`);
  // Created at the first anonymous login when missing; a file there would fail every such login.
  if (realPaths && statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false) throw new ConfigError(raw.source, `${dir} is not a directory`);
  return dir;
}

function resolveTls(
  pick: (key: SettingKey) => Raw | undefined,
  get: <T>(key: SettingKey, parse: (raw: Raw) => T, fallback: T) => T,
  cwd: string,
  served: readonly ServedRoot[],
): TlsConfig | undefined {
  const mode = get('tls', (r) => asChoice(r, ['off', 'self-signed'] as const), 'off');
  const certRaw = pick('tlsCert');
  const keyRaw = pick('tlsKey');
  const given = certRaw ?? keyRaw;
  if (given !== undefined && (certRaw === undefined || keyRaw === undefined)) {
    throw new ConfigError(given.source, `${nameLike(given, 'tlsCert')} and ${nameLike(given, 'tlsKey')} go together`);
  }
  let source: TlsConfig['source'] | undefined;
  if (certRaw !== undefined && keyRaw !== undefined) {
    if (mode === 'self-signed') throw new ConfigError('--tls', 'self-signed and --tls-cert/--tls-key exclude each other');
    source = {
      kind: 'files',
      cert: resolve(certRaw.base, asText(certRaw)),
      key: resolve(keyRaw.base, asText(keyRaw)),
      certFrom: certRaw.source,
      keyFrom: keyRaw.source,
    };
    // A certificate file may hold the key too (a combined PEM): neither may be downloadable.
    checkNotServed(source.key, keyRaw.source, served);
    checkNotServed(source.cert, certRaw.source, served);
  } else if (mode === 'self-signed') {
    const dirRaw = pick('tlsDir');
    const dir = dirRaw === undefined ? resolve(cwd, '.ftpkit') : resolve(dirRaw.base, asText(dirRaw));
    checkNotServed(dir, dirRaw?.source ?? '--tls-dir', served);
    source = { kind: 'self-signed', dir, dirFrom: dirRaw?.source ?? '--tls-dir' };
  }
  const implicitRaw = pick('implicitTlsPort');
  const require = get('requireTls', asBool, false);
  const reuseRaw = pick('tlsSessionReuse');
  if (source === undefined) {
    const stray = implicitRaw ?? reuseRaw ?? (require ? pick('requireTls') : undefined);
    if (stray !== undefined) throw new ConfigError(stray.source, 'needs TLS: give --tls-cert and --tls-key, or --tls self-signed');
    return undefined;
  }
  return {
    source,
    implicitPort: implicitRaw === undefined ? undefined : asPort(implicitRaw),
    require,
    sessionReuse: reuseRaw === undefined ? 'prefer' : asChoice(reuseRaw, ['off', 'prefer', 'require'] as const),
  };
}
