/**
 * What the command table offers to THIS session: implemented commands whose capability is present.
 * FEAT and HELP both read it, so they can never disagree with the dispatcher.
 */
import type { CommandSpec, CommandTable, ResolvedSessionConfig } from './command-spec.js';

export function available(table: CommandTable, config: ResolvedSessionConfig): CommandSpec[] {
  return table.commands.filter((s) => s.capability === undefined || config.capabilities[s.capability]);
}
