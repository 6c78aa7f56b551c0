import type { CommandSpec } from '../command-spec.js';
import { listing } from './list.js';

/**
 * NLST [-flags] [path]: names only, one per line.
 *
 * @see RFC 959 §4.1.3
 */
export const nlstCommand: CommandSpec = {
  verb: 'NLST',
  auth: true,
  arg: 'optional',
  syntax: 'NLST [<SP> -flags] [<SP> path] -- name listing',
  run: (ctx, arg) => listing(ctx, arg, 'nlst'),
};
