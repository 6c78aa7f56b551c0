import type { CommandSpec } from '../command-spec.js';
import { available } from '../command-table-view.js';
import { reply } from '../step.js';

const PER_ROW = 8;

/**
 * HELP [verb]: the list of commands this session offers (from the command table and the
 * capabilities), or one command's syntax.
 *
 * @see RFC 959 §4.1.3
 */
export const helpCommand: CommandSpec = {
  verb: 'HELP',
  auth: false,
  keepsRestartMarker: true,
  arg: 'optional',
  syntax: 'HELP [<SP> command] -- this help',
  run(ctx, arg) {
    const wanted = arg.trim().toUpperCase();
    const specs = available(ctx.table, ctx.config);
    if (wanted !== '') {
      const spec = specs.find((s) => s.verb === wanted || (s.aliases ?? []).includes(wanted));
      return spec === undefined ? reply(501, 'Unknown command.') : reply(214, `Syntax: ${spec.syntax}`);
    }
    const verbs = specs.flatMap((s) => [s.verb, ...(s.aliases ?? [])]);
    const rows: string[] = [];
    for (let i = 0; i < verbs.length; i += PER_ROW) {
      rows.push(` ${verbs.slice(i, i + PER_ROW).map((v) => v.padEnd(5)).join(' ')}`);
    }
    return reply(214, ['The following commands are recognized:', ...rows, 'Help OK.']);
  },
};
