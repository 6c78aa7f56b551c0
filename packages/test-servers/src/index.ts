export * from './support.js';
export * from './system-user.js';
export * from './start-servers.js';
