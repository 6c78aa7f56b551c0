export type * from './session-io.js';
