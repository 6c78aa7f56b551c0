import { quotePath } from '@ftpkit/codec';
import type { CommandSpec } from '../command-spec.js';
import { printable, storageCall, unsafeNameRefusal } from '../command-helpers.js';
import { reply } from '../step.js';

/**
 * MKD / XMKD: 257 with the absolute quoted path of the new directory; a name with control
 * characters or bidi overrides is 553.
 *
 * @see RFC 959 §4.1.3 and Appendix II
 */
export const mkdCommand: CommandSpec = {
  verb: 'MKD',
  aliases: ['XMKD'],
  auth: true,
  arg: 'required',
  writes: true,
  syntax: 'MKD <SP> path -- make a directory',
  run(ctx, arg) {
    const path = ctx.resolve(arg);
    const unsafe = unsafeNameRefusal(path);
    if (unsafe !== undefined) return unsafe;
    return storageCall({ op: 'mkdir', path }, () => reply(257, `${quotePath(printable(path))} created.`));
  },
};
