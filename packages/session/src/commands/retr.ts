import type { CommandSpec } from '../command-spec.js';
import { lastSegment, printable, withStat } from '../command-helpers.js';
import { storageErrorStep } from '../error-replies.js';
import { dataChannelRefusal, modeName, restPastEnd, runTransfer } from '../transfer-flow.js';

/**
 * RETR: sends a file, from the REST offset if one was given just before. The file is stat'ed
 * first, so a missing file or a directory is 550 without touching the data channel, and a REST
 * offset past the end is 554 (RFC 3659 §5.5). The stat names the read that follows (`readFrom`),
 * so the driver can open the file once for both.
 *
 * @see RFC 959 §4.1.3, RFC 3659 §5
 */
export const retrCommand: CommandSpec = {
  verb: 'RETR',
  auth: true,
  arg: 'required',
  syntax: 'RETR <SP> path -- download a file',
  run(ctx, arg) {
    const refusal = dataChannelRefusal(ctx);
    if (refusal !== undefined) return refusal;
    const path = ctx.resolve(arg);
    const offset = ctx.oneShot.restOffset;
    return withStat(path, (stat) => {
      if (stat.type === 'dir') return storageErrorStep('EISDIR');
      if (offset > stat.size) return restPastEnd();
      const from = offset > 0 ? `, restarting at ${offset}` : '';
      return runTransfer(
        ctx,
        { type: 'retr', path, offset, ascii: ctx.state.type === 'A' },
        `Opening ${modeName(ctx)} mode data connection for ${printable(lastSegment(path))} (${stat.size} bytes${from}).`,
      );
    }, offset);
  },
};
