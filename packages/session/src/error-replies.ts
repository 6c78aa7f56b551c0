/**
 * The one table that turns failures into FTP replies. Handlers never choose a code for an error:
 * they pass the error (or a storage error code) here. Error messages are never sent to the peer;
 * only the fixed texts below are.
 *
 * @see RFC 959 §4.2.2 (reply codes by function), RFC 3659 §5.5 (REST), RFC 4217 §10.2
 */
import type { DataChannelErrorCode } from '@ftpkit/codec';
import type { StorageErrorCode } from '@ftpkit/storage';
import type { Outcome } from './session-io.js';
import { reply, type Step } from './step.js';

/** A reply chosen for an error. */
export interface ErrorReply {
  code: number;
  text: string;
}

/** StorageError code -> reply. */
export const STORAGE_ERROR_REPLIES: Readonly<Record<StorageErrorCode, ErrorReply>> = {
  ENOENT: { code: 550, text: 'No such file or directory.' },
  EEXIST: { code: 550, text: 'File exists.' },
  ENOTDIR: { code: 550, text: 'Not a directory.' },
  EISDIR: { code: 550, text: 'Is a directory.' },
  ENOTEMPTY: { code: 550, text: 'Directory not empty.' },
  EACCES: { code: 550, text: 'Permission denied.' },
  ENOSPC: { code: 452, text: 'Insufficient storage space.' },
  EDQUOT: { code: 552, text: 'Exceeded storage allocation.' },
  ENOTSUP: { code: 502, text: 'Operation not supported by this storage.' },
  EINVAL: { code: 553, text: 'File name not allowed.' },
  EIO: { code: 451, text: 'Requested action aborted: local error in processing.' },
  EAGAIN: { code: 451, text: 'Requested action aborted: local error in processing.' },
  // RFC 3659 §5.4: 554 answers a transfer command whose REST position cannot be used.
  ERANGE: {
    code: 554,
    text: 'Requested action not taken: nothing to resume (uploads are atomic here; a failed upload is discarded, send the whole file with STOR).',
  },
  // RFC 959 §4.2.2: 450 "file unavailable (e.g., file busy)"; transient, so clients may retry.
  EBUSY: { code: 450, text: 'File busy: another transfer is using it; try again later.' },
};

/** DataChannelError code -> reply. A connection that never came up is 425; one that broke, 426. */
export const DATA_CHANNEL_ERROR_REPLIES: Readonly<Record<DataChannelErrorCode, ErrorReply>> = {
  timeout: { code: 425, text: "Can't open data connection: timed out." },
  refused: { code: 425, text: "Can't open data connection." },
  'peer-mismatch': { code: 425, text: "Can't open data connection: address does not match the control connection." },
  tls: { code: 425, text: "Can't open data connection: TLS negotiation failed or TLS session of data connection not resumed." },
  'not-prepared': { code: 425, text: 'Use PORT or PASV first.' },
  reset: { code: 426, text: 'Connection closed; transfer aborted.' },
};

/** Anything that is neither: a bug or an unexpected failure. */
export const UNKNOWN_ERROR_REPLY: ErrorReply = { code: 451, text: 'Requested action aborted: local error in processing.' };

/** A login whose user store could not answer ({@link LoginUnavailableError}); the connection closes. */
export const LOGIN_UNAVAILABLE_REPLY: ErrorReply = { code: 421, text: 'Service not available: logins cannot be checked now, try again later.' };

/** A right password for a user who has all the sessions allowed (`LoginUnavailableError` reason `too-many-sessions`). */
export const LOGIN_SESSIONS_REPLY: ErrorReply = { code: 421, text: 'Too many sessions for this user, try again later.' };

/** A transfer stopped by `abort-transfer` (ABOR, connection end). */
export const ABORTED_REPLY: ErrorReply = { code: 426, text: 'Connection closed; transfer aborted.' };

function codeOf(error: unknown, name: string): string | undefined {
  // Duck-typed, not instanceof: two copies of a package (dist and src, or two versions) must agree.
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; code?: unknown };
  return e.name === name && typeof e.code === 'string' ? e.code : undefined;
}

/** The reply for a StorageError code. */
export function replyForStorageCode(code: StorageErrorCode): ErrorReply {
  return STORAGE_ERROR_REPLIES[code];
}

/** The reply for any thrown or reported error. */
export function replyForError(error: unknown): ErrorReply {
  const storage = codeOf(error, 'StorageError');
  if (storage !== undefined && Object.hasOwn(STORAGE_ERROR_REPLIES, storage)) {
    return STORAGE_ERROR_REPLIES[storage as StorageErrorCode];
  }
  const data = codeOf(error, 'DataChannelError');
  if (data !== undefined && Object.hasOwn(DATA_CHANNEL_ERROR_REPLIES, data)) {
    return DATA_CHANNEL_ERROR_REPLIES[data as DataChannelErrorCode];
  }
  return UNKNOWN_ERROR_REPLY;
}

/** The reply for a failed outcome (`aborted` wins over the error). */
export function replyForFailure(outcome: Extract<Outcome, { ok: false }>): ErrorReply {
  return outcome.aborted === true ? ABORTED_REPLY : replyForError(outcome.error);
}

/** {@link replyForError} as a step. */
export function errorStep(error: unknown): Step {
  const r = replyForError(error);
  return reply(r.code, r.text);
}

/** {@link replyForStorageCode} as a step. */
export function storageErrorStep(code: StorageErrorCode): Step {
  const r = replyForStorageCode(code);
  return reply(r.code, r.text);
}

/** {@link replyForFailure} as a step. */
export function failureStep(outcome: Extract<Outcome, { ok: false }>): Step {
  const r = replyForFailure(outcome);
  return reply(r.code, r.text);
}

/** True for a StorageError (by name, see above) with this code. */
export function isStorageErrorCode(error: unknown, code: StorageErrorCode): boolean {
  return codeOf(error, 'StorageError') === code;
}
