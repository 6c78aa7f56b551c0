import type { CommandSpec } from '../command-spec.js';
import { available } from '../command-table-view.js';
import { reply } from '../step.js';

/**
 * FEAT: the extensions this session offers, generated from the command table (each command's
 * `feat`), the table's extra features and the capabilities. One per line, each starting with a
 * single space, sorted.
 *
 * @see RFC 2389 §3.2
 */
export const featCommand: CommandSpec = {
  verb: 'FEAT',
  auth: false,
  keepsRestartMarker: true,
  arg: 'none',
  syntax: 'FEAT -- list extensions',
  run(ctx) {
    const lines = new Set<string>(ctx.table.extraFeatures);
    for (const spec of available(ctx.table, ctx.config)) {
      for (const f of spec.feat?.(ctx.state, ctx.config) ?? []) lines.add(f);
    }
    return reply(211, ['Features:', ...[...lines].sort().map((l) => ` ${l}`), 'End']);
  },
};
