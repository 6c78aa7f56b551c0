export { runCli, processIo, programVersion, EXIT_CONFIG, type CliIo } from './cli.js';
export { ConfigError } from './config-error.js';
export { hashPassword, verifyPassword, isPasswordHash, dummyPasswordHash } from './password-hash.js';
export { createPasswordVerifier, type PasswordVerifier, type PasswordVerifierOptions, type PasswordCheck } from './password-verifier.js';
export { runServer, type RunningServer } from './run-server.js';
export { resolveConfig, loadUsersFile, type ServerConfig, type UserEntry, type FlagValues } from './server-config.js';
export { SETTINGS, type Setting, type SettingKey } from './settings.js';
export { createMetricsRegistry, startMetricsEndpoint, type MetricsEndpoint } from './metrics.js';
export { parseMetricsAddress, type MetricsAddress } from './endpoint-address.js';
