/**
 * What a command handler returns: a description of the next thing to do, never an action.
 * The session engine (`server-session.ts`) turns steps into `Output`s.
 */
import type { Effect, Outcome } from './session-io.js';

type WithId = Extract<Effect, { id: number }>;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** An effect whose outcome the command waits for (the engine assigns the id). */
export type EffectRequest = DistributiveOmit<WithId, 'id'>;

/** An effect nobody waits for (`abort-transfer`, `close-data`). */
export type FireEffect = Exclude<Effect, { id: number }>;

/** The text of a reply: one line, or the lines of a multi-line reply (RFC 959 §4.2). */
export type ReplyText = string | readonly string[];

export type Step =
  | { kind: 'reply'; code: number; text: ReplyText; close: boolean; next: Step | undefined }
  | { kind: 'fire'; effect: FireEffect; next: Step | undefined }
  | { kind: 'effect'; request: EffectRequest; then: (outcome: Outcome) => Step }
  | { kind: 'close' }
  | { kind: 'done' };

/** Nothing to write (e.g. QUIT during a transfer, which answers later). */
export const done: Step = { kind: 'done' };

/** Close the control connection without a reply (e.g. after a failed TLS handshake). */
export const closeConnection: Step = { kind: 'close' };

/** Write a reply, then continue with `next`. */
export function reply(code: number, text: ReplyText, next?: Step): Step {
  return { kind: 'reply', code, text, close: false, next };
}

/** Write a reply and close the control connection. */
export function replyAndClose(code: number, text: ReplyText): Step {
  return { kind: 'reply', code, text, close: true, next: undefined };
}

/** Emit a fire-and-forget effect, then continue with `next`. */
export function fire(effect: FireEffect, next?: Step): Step {
  return { kind: 'fire', effect, next };
}

/** Emit an effect and continue with its outcome once the driver resolves it. */
export function request(effect: EffectRequest, then: (outcome: Outcome) => Step): Step {
  return { kind: 'effect', request: effect, then };
}
