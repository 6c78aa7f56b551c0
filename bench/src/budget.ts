/**
 * Theory of operation: a full `pnpm bench` must fit a time budget (`--max-minutes`) without
 * dropping a measurement. Each measurement gets a share of the time left, in proportion to what
 * one round of it is estimated to cost here (the model below, from the committed full runs on the
 * 2-core bench machine); a measurement always runs its first round, and starts another only while
 * that round's duration still fits before its share ends. Time a measurement leaves unused goes to
 * the ones after it. On a machine as fast as the model, every measurement gets all its runs.
 */
import type { BenchOptions } from './options.js';

/** What the estimate of one measurement depends on besides the options. */
export interface RoundShape {
  /** Server (or client) rows of the table. */
  readonly rows: number;
  /** Whether ftp-srv is among the rows (22 small files/s: it dominates the small-file rounds). */
  readonly ftpSrv?: boolean;
  /** Whether vsftpd is among the rows (it loses sessions of a burst at once, each after the 20 s session timeout). */
  readonly vsftpd?: boolean;
}

const GIB = 1024 ** 3;

/**
 * Estimated seconds of one round (every row once) of measurement `id` on a quiet 2-core machine.
 * Per-row costs: big-file MB/s near the committed medians (curl RETR ~1 GB/s, STOR and lftp slower,
 * STOR over TLS ~150 MB/s for vsftpd and pure-ftpd, the ftpkit clients over TLS a few hundred MB/s), small files ~800 files/s (ftp-srv 22), 2,000 idle logins ~5 s.
 */
export function estimateRoundSeconds(id: string, o: BenchOptions, shape: RoundShape): number {
  const g = o.size / GIB;
  const n = shape.rows;
  const settle = o.settleMs / 1000;
  switch (id) {
    case 'raw': return 1.0 * g + 0.3;
    case 'bare': return 2 * (1.0 * g + 0.3);
    case 'retr-curl': return n * (1.0 * g + 0.2);
    case 'stor-curl': return n * (1.6 * g + 0.2);
    case 'retr-lftp': return n * (1.6 * g + 0.3);
    case 'stor-lftp': return n * (1.8 * g + 0.3);
    case 'small-ftplib': case 'small-lftp': {
      const slow = shape.ftpSrv ? 1 : 0;
      return o.files * ((n - slow) / 800 + slow / 22) + n * 0.3;
    }
    case 'sustained': return n * (o.sustained / 800 + 1);
    case 'burst-0': return n * (2 + o.burst / 100 + settle / 2) + (shape.vsftpd && o.burst > 32 ? 20 : 0);
    case 'burst-1000': return n * (1.5 + o.burst / 200 + settle / 2);
    case 'idle': return n * (1.5 + 3 * settle + o.idle / 400);
    case 'client': return n * (1.5 * g + 0.4);
    case 'client-upload': return n * (2.0 * g + 0.4);
    case 'ftps-retr': return n * (2.0 * g + 0.5);
    case 'ftps-stor': return n * (5.0 * g + 0.5);
    case 'client-tls': return n * (3.0 * g + 0.5);
    default: return n * (2 * g + 1);
  }
}

/**
 * When the measurement at `index` must stop starting rounds: now plus its share of the time left
 * before `deadline`, in proportion to the round estimates of it and of every measurement after it
 * (they each need their runs too).
 */
export function stepDeadline(now: number, deadline: number, weights: readonly number[], index: number): number {
  const left = Math.max(0, deadline - now);
  const rest = weights.slice(index).reduce((a, b) => a + b, 0);
  const mine = weights[index] ?? 0;
  return rest > 0 ? now + (left * mine) / rest : deadline;
}

/** Minutes, one decimal (for the plan and the report). */
export function minutes(seconds: number): string {
  return (seconds / 60).toFixed(1);
}
