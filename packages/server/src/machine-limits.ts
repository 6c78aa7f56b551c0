import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/** Descriptors one connection may hold at once: control socket, passive listener, data socket, open file. */
const FDS_PER_CONNECTION = 4;
/** Descriptors kept for the process itself (its listeners, logs, libuv, the threadpool's files). */
const FD_RESERVE = 64;
/** Memory one connection may cost in the worst case: a transfer's socket and stream buffers, with room to spare. */
const BYTES_PER_CONNECTION = 1024 * 1024;
/** Bounds of the machine-sized default. */
const MIN_CONNECTIONS = 16;
const MAX_CONNECTIONS = 10_000;
/** What is assumed when the limit cannot be read (no /proc): the common soft limit. */
const FALLBACK_FD_LIMIT = 1024;

/**
 * The soft limit on open files of this process (`Max open files` in `/proc/self/limits`; Node
 * raises it to the hard limit at start-up), or 1024 when it cannot be read.
 */
export function openFileLimit(procFile = '/proc/self/limits'): number {
  try {
    const line = readFileSync(procFile, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return MAX_CONNECTIONS * FDS_PER_CONNECTION + FD_RESERVE;
    const n = Number(soft);
    if (Number.isInteger(n) && n > 0) return n;
  } catch {
    // Not Linux: fall through.
  }
  return FALLBACK_FD_LIMIT;
}

/**
 * The default total connection cap, sized for the machine: as many connections as the open-file
 * limit can serve while each transfers (4 descriptors each, 64 kept for the process) and a
 * quarter of the memory can hold at 1 MiB each (an idle session costs under 40 KiB), within
 * 16..10 000. Linux services usually get a hard limit of 524 288 files (Node raises the soft limit
 * to it), so memory decides there: 2048 connections on 8 GiB; with the old soft limit of 1024,
 * 240.
 */
export function defaultMaxConnections(fdLimit = openFileLimit(), memoryBytes = totalmem()): number {
  const byFds = Math.floor((fdLimit - FD_RESERVE) / FDS_PER_CONNECTION);
  const byMemory = Math.floor(memoryBytes / 4 / BYTES_PER_CONNECTION);
  return Math.max(MIN_CONNECTIONS, Math.min(MAX_CONNECTIONS, byFds, byMemory));
}
