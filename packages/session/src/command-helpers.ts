/**
 * Small building blocks the handlers share: storage calls whose failures go through the error
 * table, and safe echoing of client text.
 */
import { escapeUnsafeName, hasUnsafeNameCharacter } from '@ftpkit/codec';
import type { FileStat } from '@ftpkit/storage';
import { failureStep, errorStep } from './error-replies.js';
import type { StorageOp } from './session-io.js';
import { reply, request, type Step } from './step.js';

/** Runs a storage call; a failure is answered from the error table, success continues. */
export function storageCall(call: StorageOp, then: (stat: FileStat | undefined) => Step): Step {
  return request({ kind: 'storage', call }, (outcome) => (outcome.ok ? then(outcome.stat) : failureStep(outcome)));
}

/**
 * Stats a path; a failure (or a driver that returned no stat) is answered from the error table.
 * `readFrom`: the stat of a RETR reading from that offset (see `StorageOp`).
 */
export function withStat(path: string, then: (stat: FileStat) => Step, readFrom?: number): Step {
  return storageCall(readFrom === undefined ? { op: 'stat', path } : { op: 'stat', path, readFrom }, (stat) =>
    stat === undefined ? errorStep(new Error('storage stat returned no FileStat')) : then(stat),
  );
}

/**
 * Client-supplied text echoed in a reply: control characters and bidi overrides become '?', so a
 * name can never start a new reply line. (Names are still used unchanged for storage.)
 */
export function printable(text: string): string {
  return escapeUnsafeName(text);
}

/**
 * The 553 for a command that would create `path` (MKD, STOR, APPE, STOU, RNTO) when its new name
 * holds a control character or a bidi override (see codec's `hasUnsafeNameCharacter`); undefined
 * when the name is fine. Only the last segment is new: existing directories above it were
 * already there and are not judged here.
 *
 * @see RFC 959 §4.2 (553: file name not allowed)
 */
export function unsafeNameRefusal(path: string): Step | undefined {
  if (!hasUnsafeNameCharacter(lastSegment(path))) return undefined;
  return reply(553, 'File name not allowed: control characters and bidi overrides are refused.');
}

/** The last segment of a virtual path ('/' for the root). */
export function lastSegment(path: string): string {
  const i = path.lastIndexOf('/');
  const name = path.slice(i + 1);
  return name === '' ? '/' : name;
}
