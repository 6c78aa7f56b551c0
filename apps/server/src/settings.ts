/**
 * The one table of ftpkit-server settings: each has a flag, an environment variable and a config
 * file key with the same meaning. `--help`, the README table and the resolver all read it.
 */
export interface Setting {
  /** Config file key (camelCase). */
  key: SettingKey;
  /** Flag as commander spells it. */
  flag: string;
  /** Environment variable. */
  env: string;
  /** Default, as text for the docs. */
  defaultText: string;
  description: string;
}

export type SettingKey =
  | 'proxyProtocol'
  | 'proxyTrusted'
  | 'health'
  | 'console'
  | 'consoleTokenFile'
  | 'graceMs'
  | 'drainDelayMs'
  | 'host'
  | 'port'
  | 'root'
  | 'storage'
  | 'user'
  | 'users'
  | 'anonymous'
  | 'anonymousWrite'
  | 'anonymousRoot'
  | 'userFile'
  | 'runAs'
  | 'pasvPorts'
  | 'pasvAddress'
  | 'uploadMode'
  | 'logLevel'
  | 'logFormat'
  | 'tls'
  | 'tlsCert'
  | 'tlsKey'
  | 'tlsDir'
  | 'implicitTlsPort'
  | 'requireTls'
  | 'tlsSessionReuse'
  | 'metrics'
  | 's3Bucket'
  | 's3Prefix'
  | 's3Endpoint'
  | 's3Region'
  | 's3ForcePathStyle'
  | 's3Checksum'
  | 's3StaleUploadMs'
  | 'hook'
  | 'hookSecretFile'
  | 'hookTimeoutMs'
  | 'hookQueueSize'
  | 'authUrl'
  | 'authCacheMs';

export const SETTINGS: readonly Setting[] = [
  { key: 'host', flag: '--host <address>', env: 'FTPKIT_HOST', defaultText: '127.0.0.1', description: 'address to listen on' },
  { key: 'port', flag: '--port <port>', env: 'FTPKIT_PORT', defaultText: '2121', description: 'control port (0: any free port)' },
  { key: 'root', flag: '--root <dir>', env: 'FTPKIT_ROOT', defaultText: './ftp-data', description: 'directory served (must exist; only the default is created)' },
  { key: 'storage', flag: '--storage <kind>', env: 'FTPKIT_STORAGE', defaultText: 'local', description: 'local | memory | s3' },
  {
    key: 'user',
    flag: '--user <name:password>',
    env: 'FTPKIT_USER',
    defaultText: 'one user `ftp` with a random password',
    description: 'a user with a plain password (repeatable; env: space-separated); the password shows in `ps`: prefer --user-file or FTPKIT_USER',
  },
  {
    key: 'userFile',
    flag: '--user-file <file>',
    env: 'FTPKIT_USER_FILE',
    defaultText: '-',
    description: 'file of NAME:PASSWORD lines (plain passwords kept out of `ps`); re-read on SIGHUP',
  },
  { key: 'users', flag: '--users <file>', env: 'FTPKIT_USERS', defaultText: '-', description: 'JSON or YAML users file (scrypt hashes, root, readOnly, deny, quota, bandwidth, maxSessions); re-read on SIGHUP' },
  { key: 'anonymous', flag: '--anonymous', env: 'FTPKIT_ANONYMOUS', defaultText: 'false', description: 'allow anonymous login (read-only)' },
  { key: 'anonymousWrite', flag: '--anonymous-write', env: 'FTPKIT_ANONYMOUS_WRITE', defaultText: 'false', description: 'let anonymous users write' },
  {
    key: 'anonymousRoot',
    flag: '--anonymous-root <dir>',
    env: 'FTPKIT_ANONYMOUS_ROOT',
    defaultText: '--root (refused when users have their own roots)',
    description: "anonymous users' directory, below --root (relative to it)",
  },
  {
    key: 'runAs',
    flag: '--run-as <user>',
    env: 'FTPKIT_RUN_AS',
    defaultText: 'off (a warning when running as root)',
    description: 'after binding the ports, drop root privileges to this user (and its groups)',
  },
  { key: 'pasvPorts', flag: '--pasv-ports <min-max>', env: 'FTPKIT_PASV_PORTS', defaultText: 'random, outside the kernel ephemeral range', description: 'passive port range' },
  { key: 'pasvAddress', flag: '--pasv-address <address>', env: 'FTPKIT_PASV_ADDRESS', defaultText: 'local address of the control connection', description: 'address announced in PASV replies' },
  { key: 'uploadMode', flag: '--upload-mode <mode>', env: 'FTPKIT_UPLOAD_MODE', defaultText: 'resumable', description: 'resumable | atomic' },
  { key: 'logLevel', flag: '--log-level <level>', env: 'FTPKIT_LOG_LEVEL', defaultText: 'info', description: 'fatal | error | warn | info | debug | trace | silent' },
  { key: 'logFormat', flag: '--log-format <format>', env: 'FTPKIT_LOG_FORMAT', defaultText: 'pretty on a terminal, else json', description: 'json | pretty' },
  {
    key: 'tls',
    flag: '--tls <mode>',
    env: 'FTPKIT_TLS',
    defaultText: 'off (on when --tls-cert and --tls-key are given)',
    description: 'off | self-signed (a certificate generated into --tls-dir, for testing only)',
  },
  { key: 'tlsCert', flag: '--tls-cert <file>', env: 'FTPKIT_TLS_CERT', defaultText: '-', description: 'PEM certificate (chain); re-read on SIGHUP' },
  { key: 'tlsKey', flag: '--tls-key <file>', env: 'FTPKIT_TLS_KEY', defaultText: '-', description: 'PEM private key; re-read on SIGHUP' },
  { key: 'tlsDir', flag: '--tls-dir <dir>', env: 'FTPKIT_TLS_DIR', defaultText: './.ftpkit', description: 'where --tls self-signed keeps its certificate (never inside a served directory)' },
  { key: 'implicitTlsPort', flag: '--implicit-tls-port <port>', env: 'FTPKIT_IMPLICIT_TLS_PORT', defaultText: 'off', description: 'also serve implicit FTPS on this port (usually 990)' },
  { key: 'requireTls', flag: '--require-tls', env: 'FTPKIT_REQUIRE_TLS', defaultText: 'false', description: 'refuse login before AUTH TLS and transfers without PROT P' },
  { key: 'tlsSessionReuse', flag: '--tls-session-reuse <mode>', env: 'FTPKIT_TLS_SESSION_REUSE', defaultText: 'prefer', description: 'off | prefer | require: data connections resume the control TLS session' },
  { key: 'metrics', flag: '--metrics <host:port>', env: 'FTPKIT_METRICS', defaultText: 'off', description: 'serve Prometheus metrics at http://HOST:PORT/metrics' },
  {
    key: 'proxyProtocol',
    flag: '--proxy-protocol <mode>',
    env: 'FTPKIT_PROXY_PROTOCOL',
    defaultText: 'off',
    description: 'off | v1 | v2 | any: require a PROXY protocol header (load balancer) on the control port',
  },
  {
    key: 'proxyTrusted',
    flag: '--proxy-trusted <cidrs>',
    env: 'FTPKIT_PROXY_TRUSTED',
    defaultText: '-',
    description: 'comma-separated balancer addresses/CIDRs allowed to send the header (required with --proxy-protocol)',
  },
  { key: 'health', flag: '--health <host:port>', env: 'FTPKIT_HEALTH', defaultText: 'off', description: 'HTTP health check: 200 while accepting, 503 while draining' },
  {
    key: 'console',
    flag: '--console <[host:]port>',
    env: 'FTPKIT_CONSOLE',
    defaultText: 'off',
    description: 'web console (live sessions, transfers, bans) on HOST:PORT (a bare PORT: 127.0.0.1); over TLS when --tls is set',
  },
  {
    key: 'consoleTokenFile',
    flag: '--console-token-file <file>',
    env: 'FTPKIT_CONSOLE_TOKEN_FILE',
    defaultText: 'a random token, printed at start',
    description: 'file holding the console login token (at least 16 characters)',
  },
  { key: 'graceMs', flag: '--grace-ms <ms>', env: 'FTPKIT_GRACE_MS', defaultText: '10000', description: 'on SIGTERM/SIGINT, how long running transfers may finish' },
  {
    key: 'drainDelayMs',
    flag: '--drain-delay-ms <ms>',
    env: 'FTPKIT_DRAIN_DELAY_MS',
    defaultText: '0',
    description: 'on SIGTERM, keep accepting this long with health 503 so the balancer notices first',
  },
  // --storage s3 (credentials come from the AWS SDK's default chain: AWS_* variables, ~/.aws files, roles).
  { key: 's3Bucket', flag: '--s3-bucket <name>', env: 'FTPKIT_S3_BUCKET', defaultText: '- (required with --storage s3)', description: 'bucket served by --storage s3' },
  { key: 's3Prefix', flag: '--s3-prefix <prefix>', env: 'FTPKIT_S3_PREFIX', defaultText: 'the whole bucket', description: 'key prefix served as / (per-user roots go below it)' },
  { key: 's3Endpoint', flag: '--s3-endpoint <url>', env: 'FTPKIT_S3_ENDPOINT', defaultText: "the SDK's (AWS)", description: 'S3-compatible endpoint URL (MinIO, Ceph, R2, ...)' },
  { key: 's3Region', flag: '--s3-region <region>', env: 'FTPKIT_S3_REGION', defaultText: "the SDK's (AWS_REGION, ~/.aws/config)", description: 'S3 region' },
  { key: 's3ForcePathStyle', flag: '--s3-force-path-style', env: 'FTPKIT_S3_FORCE_PATH_STYLE', defaultText: 'false', description: 'path-style URLs (endpoint/bucket/key) instead of bucket.endpoint' },
  {
    key: 's3Checksum',
    flag: '--s3-checksum <when>',
    env: 'FTPKIT_S3_CHECKSUM',
    defaultText: "the SDK's (when-supported)",
    description: 'when-supported | when-required: when-required for servers that mishandle aws-chunked bodies',
  },
  {
    key: 's3StaleUploadMs',
    flag: '--s3-stale-upload-ms <ms>',
    env: 'FTPKIT_S3_STALE_UPLOAD_MS',
    defaultText: '86400000 (1 day)',
    description: 'at start, abort incomplete multipart uploads under the prefix started longer ago than this',
  },
  // Hooks and external authentication (docs/production.md "Hooks", "External authentication").
  {
    key: 'hook',
    flag: '--hook <events=target>',
    env: 'FTPKIT_HOOK',
    defaultText: '-',
    description:
      'run TARGET (an executable, or an http(s) URL) on EVENTS: login, login-failed, upload, download, delete, rename, mkdir, rmdir, pre-upload, pre-download, pre-delete, pre-rename (repeatable; config key "hooks" too)',
  },
  { key: 'hookSecretFile', flag: '--hook-secret-file <file>', env: 'FTPKIT_HOOK_SECRET_FILE', defaultText: '-', description: 'key for the X-Ftpkit-Signature HMAC-SHA256 of URL hook bodies' },
  { key: 'hookTimeoutMs', flag: '--hook-timeout-ms <ms>', env: 'FTPKIT_HOOK_TIMEOUT_MS', defaultText: '10000', description: 'longest run of one hook (command killed, request aborted); a pre hook past it refuses with 451' },
  { key: 'hookQueueSize', flag: '--hook-queue-size <n>', env: 'FTPKIT_HOOK_QUEUE_SIZE', defaultText: '1000', description: 'post-event hook runs waiting at most; more are dropped and counted' },
  { key: 'authUrl', flag: '--auth-url <url>', env: 'FTPKIT_AUTH_URL', defaultText: 'off', description: 'ask this URL about logins not in --user/--users (config key "auth" too)' },
  { key: 'authCacheMs', flag: '--auth-cache-ms <ms>', env: 'FTPKIT_AUTH_CACHE_MS', defaultText: '0 (off)', description: 'remember logins --auth-url accepted this long (per user and password)' },
];
