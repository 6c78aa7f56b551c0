import type { CommandContext, CommandSpec } from '../command-spec.js';
import { withStat } from '../command-helpers.js';
import { parseListArgs } from '../list-args.js';
import type { ListFormat } from '../session-io.js';
import type { Step } from '../step.js';
import { dataChannelRefusal, runTransfer } from '../transfer-flow.js';

/** LIST and NLST: flags, then a path; a path naming a file lists just that file. */
export function listing(ctx: CommandContext, arg: string, format: ListFormat): Step {
  const refusal = dataChannelRefusal(ctx);
  if (refusal !== undefined) return refusal;
  const args = parseListArgs(arg);
  const path = ctx.resolve(args.path === '' ? '.' : args.path);
  return withStat(path, (stat) =>
    runTransfer(
      ctx,
      { type: 'list', path, format, all: args.all, single: stat.type !== 'dir' },
      'Here comes the directory listing.',
    ),
  );
}

/**
 * LIST [-flags] [path]: `ls -l` style listing over the data connection (formatted by the driver).
 *
 * @see RFC 959 §4.1.3
 */
export const listCommand: CommandSpec = {
  verb: 'LIST',
  auth: true,
  arg: 'optional',
  syntax: 'LIST [<SP> -flags] [<SP> path] -- long listing',
  run: (ctx, arg) => listing(ctx, arg, 'list'),
};
