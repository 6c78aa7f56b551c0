import type { CommandSpec } from '../command-spec.js';
import { done, replyAndClose } from '../step.js';

/**
 * QUIT: 221 and close. During a transfer it waits: the engine answers 221 after the transfer's own
 * reply (RFC 959 §4.1.1: "if file transfer is in progress, the connection will remain open for
 * result response and the server will then close it").
 *
 * @see RFC 959 §4.1.1
 */
export const quitCommand: CommandSpec = {
  verb: 'QUIT',
  auth: false,
  arg: 'none',
  syntax: 'QUIT -- end the session',
  run(ctx) {
    if (ctx.state.transfer !== undefined) {
      ctx.state.transfer.quitRequested = true;
      return done;
    }
    return replyAndClose(221, 'Goodbye.');
  },
};
