export * from './active-connection.js';
export * from './control-connection.js';
export * from './passive-listener.js';
export * from './peer-address.js';
export * from './port-allocator.js';
export * from './public-address.js';
export * from './secure-data-socket.js';
export * from './tls-session-cache.js';
