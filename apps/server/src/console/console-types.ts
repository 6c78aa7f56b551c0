/** What the console server pushes to the page (shared by both sides; no Node or DOM types). */

export interface ConsoleTransfer {
  direction: 'download' | 'upload' | 'list';
  path: string;
  bytes: number;
  size?: number;
  startedAt: number;
  /** Bytes per second over the last sample. */
  rate: number;
}

export interface ConsoleSession {
  id: number;
  remoteAddress: string;
  proxiedBy?: string;
  secure: boolean;
  user?: string;
  connectedAt: number;
  cwd: string;
  activity?: string;
  transfer?: ConsoleTransfer;
}

export interface FinishedTransfer {
  /** When it ended (ms since the epoch). */
  at: number;
  user: string;
  remoteAddress: string;
  direction: 'download' | 'upload' | 'list';
  path: string;
  bytes: number;
  durationMs: number;
  result: 'ok' | 'failed' | 'aborted';
}

export interface ConsoleBan {
  address: string;
  until: number;
}

/** One point of the charts: a second. */
export interface ConsoleSample {
  /** Seconds since the epoch. */
  t: number;
  /** Bytes moved in that second, all directions. */
  bytesPerSecond: number;
  sessions: number;
}

/** The `state` event: everything, sent when the page connects. */
export interface ConsoleState {
  sessions: ConsoleSession[];
  recent: FinishedTransfer[];
  bans: ConsoleBan[];
  samples: ConsoleSample[];
}

/** The `tick` event, every second: what changed. */
export interface ConsoleTick {
  sessions: ConsoleSession[];
  bans: ConsoleBan[];
  sample: ConsoleSample;
  /** Transfers that ended since the last tick, oldest first. */
  finished: FinishedTransfer[];
}
