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
  | 'host'
  | 'port'
  | 'root'
  | 'storage'
  | 'user'
  | 'users'
  | 'anonymous'
  | 'anonymousWrite'
  | 'pasvPorts'
  | 'pasvAddress'
  | 'uploadMode'
  | 'logLevel'
  | 'logFormat';

export const SETTINGS: readonly Setting[] = [
  { key: 'host', flag: '--host <address>', env: 'FTPKIT_HOST', defaultText: '127.0.0.1', description: 'address to listen on' },
  { key: 'port', flag: '--port <port>', env: 'FTPKIT_PORT', defaultText: '2121', description: 'control port (0: any free port)' },
  { key: 'root', flag: '--root <dir>', env: 'FTPKIT_ROOT', defaultText: './ftp-data', description: 'directory served (created if missing)' },
  { key: 'storage', flag: '--storage <kind>', env: 'FTPKIT_STORAGE', defaultText: 'local', description: 'local | memory | s3' },
  {
    key: 'user',
    flag: '--user <name:password>',
    env: 'FTPKIT_USER',
    defaultText: 'one user `ftp` with a random password',
    description: 'a user with a plain password (repeatable; env: space-separated)',
  },
  { key: 'users', flag: '--users <file>', env: 'FTPKIT_USERS', defaultText: '-', description: 'JSON or YAML users file (scrypt hashes, root, readOnly)' },
  { key: 'anonymous', flag: '--anonymous', env: 'FTPKIT_ANONYMOUS', defaultText: 'false', description: 'allow anonymous login (read-only)' },
  { key: 'anonymousWrite', flag: '--anonymous-write', env: 'FTPKIT_ANONYMOUS_WRITE', defaultText: 'false', description: 'let anonymous users write' },
  { key: 'pasvPorts', flag: '--pasv-ports <min-max>', env: 'FTPKIT_PASV_PORTS', defaultText: 'any free port', description: 'passive port range' },
  { key: 'pasvAddress', flag: '--pasv-address <address>', env: 'FTPKIT_PASV_ADDRESS', defaultText: 'local address of the control connection', description: 'address announced in PASV replies' },
  { key: 'uploadMode', flag: '--upload-mode <mode>', env: 'FTPKIT_UPLOAD_MODE', defaultText: 'resumable', description: 'resumable | atomic' },
  { key: 'logLevel', flag: '--log-level <level>', env: 'FTPKIT_LOG_LEVEL', defaultText: 'info', description: 'fatal | error | warn | info | debug | trace | silent' },
  { key: 'logFormat', flag: '--log-format <format>', env: 'FTPKIT_LOG_FORMAT', defaultText: 'pretty on a terminal, else json', description: 'json | pretty' },
];
