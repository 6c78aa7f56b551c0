import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parsePasswordHash, SCRYPT_MAXMEM } from './password-hash.js';

/** The answer of {@link PasswordVerifier.verify}: `busy` when the queue was full and nothing was hashed. */
export type PasswordCheck = 'match' | 'mismatch' | 'busy';

/** Options of {@link createPasswordVerifier}. */
export interface PasswordVerifierOptions {
  /** Worker threads hashing at once, one password each. Default: a quarter of the CPUs, at least 1, at most 4. */
  threads?: number;
  /** Checks waiting for a free thread; one more is answered `busy` at once, unhashed. Default 16. */
  maxQueued?: number;
  /** A thread idle this long is ended, returning its memory; the next check starts one. Default 30 000 ms. */
  idleMs?: number;
}

/** Checks passwords against scrypt hashes on worker threads of its own, with a bounded queue. */
export interface PasswordVerifier {
  /** Whether `password` matches `hash` (from `hashPassword`); a malformed hash is a mismatch. */
  verify(password: string, hash: string): Promise<PasswordCheck>;
  /** Checks waiting or running now. */
  readonly pending: number;
  /** End the threads; waiting checks are answered `busy`. A later check starts a thread again. */
  close(): Promise<void>;
}

interface Job {
  message: { password: string; salt: Buffer; key: Buffer; N: number; r: number; p: number; maxmem: number };
  resolve: (check: PasswordCheck) => void;
}

interface Slot {
  worker: Worker | undefined;
  job: Job | undefined;
  idle: NodeJS.Timeout | undefined;
}

// The thread runs scrypt synchronously, so the hashing happens on it and never on libuv's pool.
// A source string (not a file) works the same from the sources, from dist/ and from a bundle.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { scryptSync, timingSafeEqual } = require('node:crypto');
parentPort.on('message', (m) => {
  let match = false;
  try {
    const key = scryptSync(m.password, m.salt, m.key.length, { N: m.N, r: m.r, p: m.p, maxmem: m.maxmem });
    match = timingSafeEqual(key, m.key);
  } catch {}
  parentPort.postMessage(match);
});
`;

/**
 * A password checker for a server that takes logins from the network. scrypt on Node's default
 * (libuv's four threads, shared with all file I/O) lets a flood of guesses stall every other
 * user's transfers; here each hash runs on a dedicated worker thread, at most `threads` at once,
 * and beyond `maxQueued` waiting checks a guess is refused without being hashed, so the flood costs
 * the attacker (refused logins) rather than the other users.
 */
export function createPasswordVerifier(options: PasswordVerifierOptions = {}): PasswordVerifier {
  const threads = Math.max(1, options.threads ?? Math.min(4, Math.floor(availableParallelism() / 4)));
  const maxQueued = Math.max(0, options.maxQueued ?? 16);
  const idleMs = options.idleMs ?? 30_000;
  const slots: Slot[] = Array.from({ length: threads }, () => ({ worker: undefined, job: undefined, idle: undefined }));
  const queue: Job[] = [];

  const drop = (slot: Slot, worker: Worker): void => {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    const job = slot.job;
    slot.job = undefined;
    job?.resolve('mismatch');
    next(slot);
  };

  const start = (slot: Slot): Worker => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (match: boolean) => {
      const job = slot.job;
      slot.job = undefined;
      job?.resolve(match ? 'match' : 'mismatch');
      next(slot);
    });
    worker.on('error', () => drop(slot, worker));
    worker.on('exit', () => drop(slot, worker));
    return worker;
  };

  function next(slot: Slot): void {
    const job = queue.shift();
    if (job === undefined) {
      if (slot.worker !== undefined) {
        const worker = slot.worker;
        // An idle thread must not keep the process alive, and is ended after a while.
        worker.unref();
        slot.idle = setTimeout(() => {
          if (slot.worker === worker && slot.job === undefined) {
            slot.worker = undefined;
            void worker.terminate();
          }
        }, idleMs);
        slot.idle.unref();
      }
      return;
    }
    clearTimeout(slot.idle);
    slot.worker ??= start(slot);
    slot.worker.ref();
    slot.job = job;
    slot.worker.postMessage(job.message);
  }

  return {
    verify(password, hash) {
      const parsed = parsePasswordHash(hash);
      if (parsed === undefined) return Promise.resolve('mismatch');
      const free = slots.find((s) => s.job === undefined);
      if (free === undefined && queue.length >= maxQueued) return Promise.resolve('busy');
      return new Promise<PasswordCheck>((resolve) => {
        queue.push({ message: { password, ...parsed, maxmem: SCRYPT_MAXMEM }, resolve });
        if (free !== undefined) next(free);
      });
    },
    get pending() {
      return queue.length + slots.filter((s) => s.job !== undefined).length;
    },
    async close() {
      for (const job of queue.splice(0)) job.resolve('busy');
      await Promise.all(
        slots.map(async (slot) => {
          clearTimeout(slot.idle);
          const worker = slot.worker;
          slot.worker = undefined;
          slot.job?.resolve('busy');
          slot.job = undefined;
          await worker?.terminate();
        }),
      );
    },
  };
}
