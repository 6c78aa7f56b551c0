export * from './authorize.js';
export * from './ban-list.js';
export * from './crc32.js';
export * from './events.js';
export * from './ftp-server.js';
export * from './hook-runner.js';
export * from './http-authenticator.js';
export * from './listing.js';
export type { LiveSession, LiveTransfer } from './live-view.js';
export * from './logger.js';
export { defaultMaxConnections } from './machine-limits.js';
export * from './options.js';
export * from './proxy-protocol.js';
export * from './server-hooks.js';
export * from './token-bucket.js';
export type { PublicAddressOption } from '@ftpkit/transport';
// What a user of the server names in their own code (a per-user storage function, a login
// handler, an adapter): re-exported so @ftpkit/server alone is enough to type it.
export type { SessionUser } from '@ftpkit/session';
export { LoginUnavailableError, isLoginUnavailable, type LoginUnavailableReason } from '@ftpkit/session';
export type {
  FileStat,
  FileType,
  ReadOptions,
  StorageAdapter,
  StorageAdapterWith,
  StorageCapabilities,
  StorageCapability,
  StorageErrorCode,
  SweepOptions,
  SweepResult,
  UploadMode,
  WriteOptions,
  WriteResult,
} from '@ftpkit/storage';
export { StorageError, isStorageError } from '@ftpkit/storage';
export type { TlsSessionReuse } from '@ftpkit/transport';
export type { ListEntry, MlsxEntry, ProxyHeader } from '@ftpkit/codec';
