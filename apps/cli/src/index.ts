export * from './program.js';
export * from './netrc.js';
export * from './shell-words.js';
export * from './format.js';
