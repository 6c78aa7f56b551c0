import type { CommandContext, CommandSpec } from '../command-spec.js';
import { printable, withStat } from '../command-helpers.js';
import { errorStep, failureStep } from '../error-replies.js';
import { reply, request, type Step } from '../step.js';

function transferLine(ctx: CommandContext): string | undefined {
  const t = ctx.state.transfer;
  if (t === undefined) return undefined;
  const what = t.spec.type === 'retr' ? 'download' : t.spec.type === 'stor' ? 'upload' : 'listing';
  return t.phase === 'opening'
    ? `Opening data connection for ${what} of ${printable(t.spec.path)}`
    : `Transfer in progress: ${what} of ${printable(t.spec.path)}`;
}

/** The session status of STAT without argument (and of STAT during a transfer). */
function status(ctx: CommandContext): Step {
  const { state } = ctx;
  const lines = ['FTP server status:'];
  lines.push(state.tls ? 'Control connection: TLS' : 'Control connection: plaintext');
  if (state.host !== undefined) lines.push(`Virtual host: ${printable(state.host)}`);
  lines.push(
    state.user !== undefined
      ? `Logged in as ${printable(state.user.name)}${state.user.readOnly === true ? ' (read-only)' : ''}`
      : 'Not logged in',
  );
  lines.push(`Working directory: ${printable(state.cwd)}`);
  lines.push(`TYPE: ${state.type === 'A' ? 'ASCII' : 'BINARY'}; STRU: File; MODE: Stream`);
  lines.push(`Data protection: ${state.prot === 'P' ? 'private (TLS)' : 'clear'}`);
  const d = state.data;
  lines.push(
    d.mode === 'passive'
      ? `Data connection: passive${d.extended ? ' (EPSV)' : ''}, prepared`
      : d.mode === 'active'
        ? `Data connection: active to port ${d.port}, prepared`
        : 'Data connection: none',
  );
  const t = transferLine(ctx);
  if (t !== undefined) lines.push(t);
  lines.push('End of status.');
  return reply(211, lines);
}

/**
 * STAT: without argument (or at any time during a transfer) the session status, 211 multi-line;
 * with a path, a listing over the control connection (the driver formats it), 213 multi-line.
 *
 * @see RFC 959 §4.1.3
 */
export const statCommand: CommandSpec = {
  verb: 'STAT',
  auth: true,
  keepsRestartMarker: true,
  arg: 'optional',
  syntax: 'STAT [<SP> path] -- session status, or a listing over the control connection',
  run(ctx, arg) {
    if (ctx.state.transfer !== undefined || arg.trim() === '') return status(ctx);
    const path = ctx.resolve(arg);
    return withStat(path, (stat) =>
      request({ kind: 'list-control', path, single: stat.type !== 'dir' }, (outcome) => {
        if (!outcome.ok) return failureStep(outcome);
        if (outcome.lines === undefined) return errorStep(new Error('list-control outcome without lines'));
        return reply(213, [`Status of ${printable(path)}:`, ...outcome.lines.map(printable), 'End of status.']);
      }),
    );
  },
};
