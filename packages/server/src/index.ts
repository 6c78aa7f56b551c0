export * from './ban-list.js';
export * from './crc32.js';
export * from './events.js';
export * from './ftp-server.js';
export * from './listing.js';
export * from './logger.js';
export * from './options.js';
export * from './token-bucket.js';
export type { PublicAddressOption } from '@ftpkit/transport';
