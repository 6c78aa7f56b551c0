import type { FtpServer, LiveSession, TransferEndEvent } from '@ftpkit/server';
import type { ConsoleBan, ConsoleSample, ConsoleSession, ConsoleState, ConsoleTick, FinishedTransfer } from './console-types.js';

const RECENT = 300;
const SAMPLES = 300;

/**
 * What the console shows, kept up to date: finished transfers (the last 300) from the server's
 * events, and once a second a sample of throughput and sessions (the last 5 minutes). With nobody
 * watching it costs one event handler per transfer and one look at the sessions per second.
 */
export class ConsoleFeed {
  readonly #server: FtpServer;
  readonly #recent: FinishedTransfer[] = [];
  readonly #samples: ConsoleSample[] = [];
  readonly #listeners = new Set<(tick: ConsoleTick) => void>();
  /** Bytes each running transfer had at the last sample, by connection id (one transfer at a time each). */
  #seen = new Map<number, number>();
  /** Bytes of transfers that ended since the last sample and were not counted yet. */
  #endedBytes = 0;
  #finished: FinishedTransfer[] = [];
  #sessions: ConsoleSession[] = [];
  #bans: ConsoleBan[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #onEnd = (e: TransferEndEvent): void => {
    // Only what the last sample did not count yet (a transfer may end between two samples).
    const counted = this.#seen.get(e.connection.id) ?? 0;
    this.#seen.delete(e.connection.id);
    this.#endedBytes += Math.max(0, e.bytes - counted);
    const done: FinishedTransfer = {
      at: Date.now(),
      user: e.user ?? '',
      remoteAddress: e.connection.remoteAddress,
      direction: e.direction,
      path: e.path,
      bytes: e.bytes,
      durationMs: e.durationMs,
      result: e.ok ? 'ok' : e.aborted ? 'aborted' : 'failed',
    };
    this.#recent.push(done);
    if (this.#recent.length > RECENT) this.#recent.shift();
    this.#finished.push(done);
  };

  constructor(server: FtpServer) {
    this.#server = server;
    server.on('transfer-end', this.#onEnd);
    this.#timer = setInterval(() => void this.#sample(), 1_000);
    this.#timer.unref();
  }

  async #sample(): Promise<void> {
    const live = this.#server.sessions();
    const seen = new Map<number, number>();
    let moved = this.#endedBytes;
    this.#endedBytes = 0;
    const sessions = live.map((s) => {
      const view = toConsole(s);
      const t = s.transfer;
      if (t !== undefined && view.transfer !== undefined) {
        const before = this.#seen.get(s.id) ?? 0;
        const delta = Math.max(0, t.bytes - before);
        moved += delta;
        view.transfer.rate = delta;
        seen.set(s.id, t.bytes);
      }
      return view;
    });
    this.#seen = seen;
    this.#sessions = sessions;
    const sample = { t: Math.floor(Date.now() / 1_000), bytesPerSecond: moved, sessions: live.length };
    this.#samples.push(sample);
    if (this.#samples.length > SAMPLES) this.#samples.shift();
    // Bans are asked for only while someone watches (a shared ban list may be remote).
    if (this.#listeners.size > 0) this.#bans = await this.#server.bans();
    const finished = this.#finished;
    this.#finished = [];
    const tick: ConsoleTick = { sessions, bans: this.#bans, sample, finished };
    for (const listener of this.#listeners) listener(tick);
  }

  /** Everything, for a page that just connected. */
  async state(): Promise<ConsoleState> {
    this.#bans = await this.#server.bans();
    return {
      sessions: this.#sessions.length > 0 ? this.#sessions : this.#server.sessions().map(toConsole),
      recent: [...this.#recent],
      bans: this.#bans,
      samples: [...this.#samples],
    };
  }

  /** Call `listener` every second with what changed; returns the unsubscribe. */
  subscribe(listener: (tick: ConsoleTick) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#server.off('transfer-end', this.#onEnd);
    this.#listeners.clear();
  }
}

function toConsole(s: LiveSession): ConsoleSession {
  return {
    id: s.id,
    remoteAddress: s.remoteAddress,
    ...(s.proxiedBy === undefined ? {} : { proxiedBy: s.proxiedBy }),
    secure: s.secure,
    ...(s.user === undefined ? {} : { user: s.user }),
    connectedAt: s.connectedAt,
    cwd: s.cwd,
    ...(s.activity === undefined ? {} : { activity: s.activity }),
    ...(s.transfer === undefined ? {} : { transfer: { ...s.transfer, rate: 0 } }),
  };
}
