/**
 * The shared flow of every command that moves bytes over a data connection (RETR, STOR, STOU,
 * APPE, LIST, NLST, MLSD):
 *
 *   checks (PROT policy 521, a prepared channel 425) -> the handler's own checks (path, stat)
 *   -> open-data (failure: error table, 425) -> 150 -> transfer -> 226 | 426 | error table
 *
 * The prepared channel is consumed by open-data's failure or by the transfer, whatever its
 * outcome; a refusal before open-data keeps it, so the client can retry with another name.
 * From open-data on the session counts as transferring for ABOR/STAT/QUIT (see session-state.ts).
 *
 * @see RFC 959 §5.4 (RETR: 125/150 then 226/250, 425, 426, 451, 550), RFC 4217 §10.2 (521)
 */
import type { CommandContext } from './command-spec.js';
import { ABORTED_REPLY, failureStep } from './error-replies.js';
import type { TransferSpec } from './session-io.js';
import { dataConsumed, transferMoving, transferOpening } from './session-state.js';
import { fire, reply, request, type Step } from './step.js';

/** Why no transfer can start now, or undefined when one can. */
export function dataChannelRefusal(ctx: CommandContext): Step | undefined {
  if (ctx.config.requireTlsData && ctx.state.prot !== 'P') {
    return reply(521, 'Data connection cannot be opened with this PROT setting.');
  }
  if (ctx.state.data.mode === 'none') return reply(425, 'Use PORT or PASV first.');
  return undefined;
}

/** open-data, then `150 <preliminary>`, then the transfer and its final reply. */
export function runTransfer(ctx: CommandContext, spec: TransferSpec, preliminary: string): Step {
  const { state } = ctx;
  transferOpening(state, spec);
  return request({ kind: 'open-data', secure: state.prot === 'P', spec }, (opened) => {
    if (!opened.ok) {
      dataConsumed(state);
      return failureStep(opened);
    }
    if ((state.transfer?.aborts ?? 0) > 0) {
      // ABOR raced the connection: drop it instead of starting the transfer.
      return fire({ kind: 'close-data' }, reply(ABORTED_REPLY.code, ABORTED_REPLY.text));
    }
    transferMoving(state);
    return reply(
      150,
      preliminary,
      request({ kind: 'transfer', spec }, (moved) => (moved.ok ? reply(226, 'Transfer complete.') : failureStep(moved))),
    );
  });
}

/** "BINARY" or "ASCII" for 150 texts. */
export function modeName(ctx: CommandContext): string {
  return ctx.state.type === 'A' ? 'ASCII' : 'BINARY';
}

/** RETR's and STOR's reply for a REST offset past the end of the file (RFC 3659 §5.5). */
export function restPastEnd(): Step {
  return reply(554, 'Requested action not taken: invalid REST parameter.');
}
