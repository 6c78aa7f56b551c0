/**
 * Why a server refused, as far as its reply tells: a code that means one thing (452, 552, 554,
 * 421, 530, 502/504), or for the catch-all codes (450, 451, 550, 553) the usual wordings of
 * vsftpd, pure-ftpd, ProFTPD, pyftpdlib, IIS and @ftpkit/server.
 */
export type FtpReplyReason =
  /** The file or directory does not exist (550 "No such file or directory"). */
  | 'not-found'
  /** The name is taken (550 "File exists", MKD of an existing directory). */
  | 'exists'
  /** Not allowed for this user (550 "Permission denied", a read-only account). */
  | 'denied'
  /** A directory to remove is not empty. */
  | 'not-empty'
  /** The server's disk is full (452). */
  | 'no-space'
  /** The user's storage allocation is used up (552). */
  | 'quota'
  /** The file is in use by another transfer; try later (450 "busy"). */
  | 'busy'
  /** REST/APPE has nothing to resume from (554, e.g. an atomic-upload server). */
  | 'nothing-to-resume'
  /** The server is closing the connection (421): shutting down, too many connections, idle. */
  | 'unavailable'
  /** Not logged in, or the login was refused (530). */
  | 'not-logged-in'
  /** The command is not implemented (502) or not for this parameter (504). */
  | 'not-implemented';

const BY_CODE: ReadonlyMap<number, FtpReplyReason> = new Map([
  [421, 'unavailable'],
  [452, 'no-space'],
  [502, 'not-implemented'],
  [504, 'not-implemented'],
  [530, 'not-logged-in'],
  [552, 'quota'],
  [554, 'nothing-to-resume'],
]);

/** Checked in order: "does not exist" must win over "exist", "not empty" over "not found". */
const BY_TEXT: ReadonlyArray<[RegExp, FtpReplyReason]> = [
  [/no such file|no such directory|not found|does not exist|doesn'?t exist|cannot find|can'?t find|could ?n[o']t find/i, 'not-found'],
  [/not empty/i, 'not-empty'],
  [/\bexists\b|already exist/i, 'exists'],
  [/permission denied|access (is )?denied|not permitted|forbidden|read-only|read only|insufficient privileges/i, 'denied'],
  [/quota|storage allocation/i, 'quota'],
  [/no space|disk full|insufficient storage/i, 'no-space'],
  [/\bbusy\b|in use\b|\blocked\b/i, 'busy'],
];

/** Codes whose meaning depends on the text (RFC 959 §4.2: "file unavailable", "action not taken"). */
const TEXT_CODES: ReadonlySet<number> = new Set([450, 451, 550, 553]);

/** The reason a failure reply gives, or undefined when its code and text do not say. */
export function replyReason(code: number, text: string): FtpReplyReason | undefined {
  const byCode = BY_CODE.get(code);
  if (byCode) return byCode;
  if (!TEXT_CODES.has(code)) return undefined;
  for (const [pattern, reason] of BY_TEXT) if (pattern.test(text)) return reason;
  return undefined;
}
