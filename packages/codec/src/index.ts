export * from './data-channel-error.js';
