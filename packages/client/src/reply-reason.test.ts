import { describe, expect, it } from 'vitest';
import { FtpConnectionError, FtpError, FtpReplyError, type FtpErrorCode } from './errors.js';
import { replyReason } from './reply-reason.js';

describe('replyReason: what a failure reply says, best-effort', () => {
  it.each([
    // @ftpkit/server (packages/session error table)
    [550, 'No such file or directory.', 'not-found'],
    [550, 'File exists.', 'exists'],
    [550, 'Permission denied.', 'denied'],
    [550, 'Permission denied: read-only account.', 'denied'],
    [550, 'Directory not empty.', 'not-empty'],
    [452, 'Insufficient storage space.', 'no-space'],
    [552, 'Exceeded storage allocation.', 'quota'],
    [450, 'File busy: another transfer is using it; try again later.', 'busy'],
    [554, 'Requested action not taken: nothing to resume.', 'nothing-to-resume'],
    [421, 'Server shutting down.', 'unavailable'],
    [530, 'Login incorrect.', 'not-logged-in'],
    [502, 'Command not implemented.', 'not-implemented'],
    // other servers' wordings
    [550, "Can't open nope.txt: No such file or directory", 'not-found'],
    [550, 'nope.txt: The system cannot find the file specified.', 'not-found'],
    [550, "Directory '/x' does not exist", 'not-found'],
    [550, 'Create directory operation failed: File exists', 'exists'],
    [550, 'Access is denied.', 'denied'],
    [553, 'Could not create file: permission denied', 'denied'],
    [451, 'Disk quota exceeded', 'quota'],
    [451, 'No space left on device', 'no-space'],
  ] as const)('%i %s -> %s', (code, text, reason) => {
    expect(replyReason(code, text)).toBe(reason);
    expect(new FtpReplyError(code, text, 'X').reason).toBe(reason);
  });

  it.each([
    [550, 'Failed to open file.'],
    [550, 'Failed to change directory.'],
    [550, 'Is a directory.'],
    [451, 'Requested action aborted: local error in processing.'],
    [426, 'Connection closed; transfer aborted.'],
    [500, 'Permission denied'],
  ] as const)('%i %s -> undefined (the reply does not say)', (code, text) => {
    expect(replyReason(code, text)).toBeUndefined();
  });
});

describe('FtpErrorCode', () => {
  it('types the code of every error class', () => {
    const codes: FtpErrorCode[] = [new FtpReplyError(550, 'x', 'RETR /a').code, new FtpConnectionError('gone').code];
    expect(codes).toEqual(['FTP_REPLY', 'FTP_CONNECTION']);
    const err: FtpError = new FtpConnectionError('gone');
    // @ts-expect-error a misspelt code no longer compiles (`pnpm typecheck` checks this line)
    expect(err.code === 'FTP_CONECTION').toBe(false);
  });
});
