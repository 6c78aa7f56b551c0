/**
 * The one table of commands. The dispatcher, HELP and FEAT all read it; adding a command means
 * one file in `commands/` and one line here.
 *
 * @see RFC 959 §4.1 and §5.3.1 (command list), RFC 2389 (FEAT)
 */
import type { CommandSpec, CommandTable, UnimplementedSpec } from './command-spec.js';
import { aborCommand } from './commands/abor.js';
import { acctCommand } from './commands/acct.js';
import { alloCommand } from './commands/allo.js';
import { appeCommand } from './commands/appe.js';
import { authCommand } from './commands/auth.js';
import { cccCommand } from './commands/ccc.js';
import { cdupCommand } from './commands/cdup.js';
import { cwdCommand } from './commands/cwd.js';
import { deleCommand } from './commands/dele.js';
import { eprtCommand } from './commands/eprt.js';
import { epsvCommand } from './commands/epsv.js';
import { featCommand } from './commands/feat.js';
import { hashCommand } from './commands/hash.js';
import { helpCommand } from './commands/help.js';
import { hostCommand } from './commands/host.js';
import { listCommand } from './commands/list.js';
import { mdtmCommand } from './commands/mdtm.js';
import { mfmtCommand } from './commands/mfmt.js';
import { mkdCommand } from './commands/mkd.js';
import { mlsdCommand } from './commands/mlsd.js';
import { mlstCommand } from './commands/mlst.js';
import { modeCommand } from './commands/mode.js';
import { nlstCommand } from './commands/nlst.js';
import { noopCommand } from './commands/noop.js';
import { optsCommand } from './commands/opts.js';
import { passCommand } from './commands/pass.js';
import { pasvCommand } from './commands/pasv.js';
import { pbszCommand } from './commands/pbsz.js';
import { portCommand } from './commands/port.js';
import { protCommand } from './commands/prot.js';
import { pwdCommand } from './commands/pwd.js';
import { quitCommand } from './commands/quit.js';
import { reinCommand } from './commands/rein.js';
import { restCommand } from './commands/rest.js';
import { retrCommand } from './commands/retr.js';
import { rmdCommand } from './commands/rmd.js';
import { rnfrCommand } from './commands/rnfr.js';
import { rntoCommand } from './commands/rnto.js';
import { siteCommand } from './commands/site.js';
import { sizeCommand } from './commands/size.js';
import { statCommand } from './commands/stat.js';
import { storCommand } from './commands/stor.js';
import { stouCommand } from './commands/stou.js';
import { struCommand } from './commands/stru.js';
import { systCommand } from './commands/syst.js';
import { typeCommand } from './commands/type.js';
import { userCommand } from './commands/user.js';

/** Every implemented command, in the order HELP lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  // access control (RFC 959 §4.1.1)
  userCommand, passCommand, acctCommand, cwdCommand, cdupCommand, reinCommand, quitCommand,
  // transfer parameters (§4.1.2, RFC 2428)
  portCommand, pasvCommand, eprtCommand, epsvCommand, typeCommand, struCommand, modeCommand,
  // service commands (§4.1.3)
  retrCommand, storCommand, stouCommand, appeCommand, alloCommand, restCommand, rnfrCommand, rntoCommand,
  aborCommand, deleCommand, rmdCommand, mkdCommand, pwdCommand, listCommand, nlstCommand, siteCommand,
  systCommand, statCommand, helpCommand, noopCommand,
  // extensions (RFC 2389, 3659, 7151, 4217, MFMT and HASH drafts)
  featCommand, optsCommand, sizeCommand, mdtmCommand, mfmtCommand, mlstCommand, mlsdCommand, hostCommand,
  hashCommand, authCommand, pbszCommand, protCommand, cccCommand,
];

/** Every verb the server implements (aliases included), upper-case: what a user's `deny` list may name. */
export const COMMAND_VERBS: readonly string[] = COMMANDS.flatMap((spec) => [spec.verb, ...(spec.aliases ?? [])]);

/**
 * Verbs from RFC 959, RFC 2228, RFC 1639 and RFC 2640 that this server knows and does not
 * implement: 502 rather than 500, so clients learn they are recognised but unavailable.
 */
export const UNIMPLEMENTED: readonly UnimplementedSpec[] = [
  { verb: 'SMNT', syntax: 'SMNT <SP> path -- mount a file system (not implemented)' },
  { verb: 'ADAT', syntax: 'ADAT <SP> data -- security data (not implemented)' },
  { verb: 'MIC', syntax: 'MIC <SP> data -- integrity-protected command (not implemented)' },
  { verb: 'CONF', syntax: 'CONF <SP> data -- confidentiality-protected command (not implemented)' },
  { verb: 'ENC', syntax: 'ENC <SP> data -- privacy-protected command (not implemented)' },
  { verb: 'LPRT', syntax: 'LPRT -- long port (not implemented; use EPRT)' },
  { verb: 'LPSV', syntax: 'LPSV -- long passive (not implemented; use EPSV)' },
  { verb: 'LANG', syntax: 'LANG -- reply language (not implemented)' },
  { verb: 'MLFL', syntax: 'MLFL -- obsolete mail command' },
  { verb: 'MAIL', syntax: 'MAIL -- obsolete mail command' },
  { verb: 'MSND', syntax: 'MSND -- obsolete mail command' },
  { verb: 'MSOM', syntax: 'MSOM -- obsolete mail command' },
  { verb: 'MSAM', syntax: 'MSAM -- obsolete mail command' },
  { verb: 'MRSQ', syntax: 'MRSQ -- obsolete mail command' },
  { verb: 'MRCP', syntax: 'MRCP -- obsolete mail command' },
];

/** Features no single command owns: TVFS (RFC 3659 §6: '/'-separated virtual paths). */
export const EXTRA_FEATURES: readonly string[] = ['TVFS'];

/** Builds the lookup structure over a list of commands (the default list unless given). */
export function createCommandTable(
  commands: readonly CommandSpec[] = COMMANDS,
  unimplemented: readonly UnimplementedSpec[] = UNIMPLEMENTED,
  extraFeatures: readonly string[] = EXTRA_FEATURES,
): CommandTable {
  const byVerb = new Map<string, CommandSpec>();
  for (const spec of commands) {
    for (const verb of [spec.verb, ...(spec.aliases ?? [])]) {
      if (byVerb.has(verb)) throw new Error(`command table: ${verb} registered twice`);
      byVerb.set(verb, spec);
    }
  }
  const missing = new Set(unimplemented.map((u) => u.verb));
  return {
    lookup: (verb) => byVerb.get(verb),
    isUnimplemented: (verb) => missing.has(verb),
    commands,
    extraFeatures,
  };
}
