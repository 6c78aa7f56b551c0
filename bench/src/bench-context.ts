import type { Login } from './clients.js';
import type { DataSet } from './data-set.js';
import type { BenchOptions } from './options.js';
import type { BenchServer } from './servers/bench-server.js';

/** What every measurement gets: options, the data set, the running servers, a logger. */
export interface BenchContext {
  readonly opts: BenchOptions;
  readonly data: DataSet;
  /** The servers measured side by side (rows of the server tables). */
  readonly servers: readonly BenchServer[];
  /** vsftpd, the server the client comparison downloads from. */
  readonly vsftpd: BenchServer | undefined;
  /** Client rows that can run here (curl, lftp, ftplib, basic-ftp, ftpkit…), by name. */
  readonly clients: ReadonlySet<string>;
  readonly user: string;
  readonly password: string;
  /** Starts a new process of the same server (same config), or undefined when it cannot. */
  fresh(s: BenchServer): Promise<BenchServer | undefined>;
  /** Epoch ms after which this measurement starts no new round: its share of --max-minutes (budget.ts). */
  readonly deadline: number;
  log(line: string): void;
}

export function loginFor(ctx: BenchContext, s: BenchServer): Login {
  return { port: s.port, user: ctx.user, password: ctx.password };
}
