import type { CommandSpec } from '../command-spec.js';
import { storageCall } from '../command-helpers.js';
import { reply } from '../step.js';

/**
 * SITE HELP | SITE CHMOD <octal mode> <path>. CHMOD exists only when the storage can chmod (502
 * otherwise) and is refused (550) to read-only users and to users whose deny list has "SITE CHMOD"
 * or "CHMOD". Only permission bits may be set: a mode above 0777 (setuid, setgid, sticky) is 550,
 * and the storage clears what its own policy forbids (storage-local: the process umask). Other
 * SITE commands are 500.
 *
 * @see RFC 959 §4.1.3
 */
export const siteCommand: CommandSpec = {
  verb: 'SITE',
  auth: true,
  arg: 'required',
  syntax: 'SITE <SP> HELP | CHMOD mode path -- site-specific commands',
  run(ctx, arg) {
    const text = arg.trimStart();
    const space = text.indexOf(' ');
    const sub = (space < 0 ? text : text.slice(0, space)).toUpperCase();
    const rest = space < 0 ? '' : text.slice(space + 1);
    const canChmod = ctx.config.capabilities.chmod;
    if (sub === 'HELP') {
      return reply(214, ['SITE commands recognized:', ...(canChmod ? [' CHMOD mode path'] : []), ' HELP', 'Help OK.']);
    }
    if (sub !== 'CHMOD') return reply(500, 'Unknown SITE command.');
    if (!canChmod) return reply(502, 'SITE CHMOD not implemented.');
    const user = ctx.state.user;
    const deny = user?.deny?.map((v) => v.toUpperCase()) ?? [];
    if (user?.readOnly === true || deny.includes('SITE CHMOD') || deny.includes('CHMOD')) {
      return reply(550, 'Permission denied.');
    }
    const m = /^\s*([0-7]{1,4})\s+(.+)$/s.exec(rest);
    if (m === null) return reply(501, 'Syntax: SITE CHMOD <octal mode> <path>.');
    const mode = Number.parseInt(m[1] as string, 8);
    if (mode > 0o777) return reply(550, 'SITE CHMOD sets permission bits only (000-777); setuid, setgid and sticky are refused.');
    const path = ctx.resolve(m[2] as string);
    return storageCall({ op: 'chmod', path, mode }, () =>
      reply(200, 'SITE CHMOD command successful.'),
    );
  },
};
