/**
 * Small building blocks the handlers share: storage calls whose failures go through the error
 * table, and safe echoing of client text.
 */
import type { FileStat } from '@ftpkit/storage';
import { failureStep, errorStep } from './error-replies.js';
import type { StorageOp } from './session-io.js';
import { request, type Step } from './step.js';

/** Runs a storage call; a failure is answered from the error table, success continues. */
export function storageCall(call: StorageOp, then: (stat: FileStat | undefined) => Step): Step {
  return request({ kind: 'storage', call }, (outcome) => (outcome.ok ? then(outcome.stat) : failureStep(outcome)));
}

/** Stats a path; a failure (or a driver that returned no stat) is answered from the error table. */
export function withStat(path: string, then: (stat: FileStat) => Step): Step {
  return storageCall({ op: 'stat', path }, (stat) =>
    stat === undefined ? errorStep(new Error('storage stat returned no FileStat')) : then(stat),
  );
}

/**
 * Client-supplied text echoed in a reply: control characters become '?', so a name can never
 * start a new reply line. (Names are still used unchanged for storage.)
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, '?');
}

/** The last segment of a virtual path ('/' for the root). */
export function lastSegment(path: string): string {
  const i = path.lastIndexOf('/');
  const name = path.slice(i + 1);
  return name === '' ? '/' : name;
}
