/** A bad setting: `key` names where it came from (`--port`, `FTPKIT_PORT`, `config key "port"`). Exit status 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}
