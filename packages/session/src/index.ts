export type * from './session-io.js';
export { createServerSession, DEFAULT_GREETING, DEFAULT_MAX_LINE_LENGTH } from './server-session.js';
export type { ServerSessionDiagnostics } from './server-session.js';
export { SessionUsageError } from './session-usage-error.js';
export { COMMAND_VERBS } from './command-table.js';
export { MAX_QUEUED_LINES, SUPPORTED_FACTS, DEFAULT_FACTS, HASH_ALGORITHMS } from './session-state.js';
export {
  STORAGE_ERROR_REPLIES,
  DATA_CHANNEL_ERROR_REPLIES,
  UNKNOWN_ERROR_REPLY,
  ABORTED_REPLY,
  LOGIN_UNAVAILABLE_REPLY,
  LOGIN_SESSIONS_REPLY,
  replyForError,
  type ErrorReply,
} from './error-replies.js';
export { LoginUnavailableError, isLoginUnavailable, loginUnavailableReason, type LoginUnavailableReason } from './login-unavailable-error.js';
