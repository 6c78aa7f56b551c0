import cliProgress from 'cli-progress';

/** Progress reporting: a bar on a terminal, JSON lines, or nothing. */
export interface Progress {
  /**
   * `bytes` of the file are done (for uploads: what the server has taken, as the client reports
   * it), of `total` when known; `offset` of them were there before this run (a resume) and do not
   * count towards the rate.
   */
  update(bytes: number, total?: number, offset?: number): void;
  stop(): void;
}

/** `auto`: a bar when stderr is a terminal; `bar`: always; `json`: one JSON object a line; `none`. */
export type ProgressMode = 'auto' | 'bar' | 'json' | 'none';

/** Time before a rate is shown, ms: the first moments of a transfer say nothing about it. */
const RATE_AFTER_MS = 500;
/** JSON lines at most this often (the last figure is always written). */
const JSON_EVERY_MS = 100;

function human(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Bytes per second moved in this run (not counting a resumed `offset`), or undefined too early to say. */
function rateOf(bytes: number, offset: number, started: number, now: number): number | undefined {
  const ms = now - started;
  if (ms < RATE_AFTER_MS) return undefined;
  return Math.max(0, bytes - offset) / (ms / 1000);
}

const off: Progress = { update: () => undefined, stop: () => undefined };

/**
 * Progress on stderr: a bar with bytes, rate and ETA (mode `auto` only when stderr is a terminal),
 * or JSON lines `{"progress":{"name","bytes","total","bytesPerSecond"}}`. Nothing with --quiet, and
 * no bar with --json (whose result owns stdout; JSON lines still come when asked for).
 */
export function createProgress(label: string, opts: { quiet?: boolean; json?: boolean; progress?: ProgressMode }): Progress {
  const mode = opts.progress ?? 'auto';
  if (opts.quiet || mode === 'none') return off;
  if (mode === 'json') return jsonProgress(label);
  if (opts.json || (mode === 'auto' && !process.stderr.isTTY)) return off;
  return barProgress(label);
}

function jsonProgress(label: string): Progress {
  const started = Date.now();
  let lastWrite = 0;
  let pending: string | undefined;
  const write = (line: string): void => {
    process.stderr.write(line);
    lastWrite = Date.now();
    pending = undefined;
  };
  return {
    update(bytes, total, offset = 0) {
      const now = Date.now();
      const rate = rateOf(bytes, offset, started, now);
      const line = `${JSON.stringify({ progress: { name: label, bytes, total: total ?? null, bytesPerSecond: rate === undefined ? null : Math.round(rate) } })}\n`;
      if (now - lastWrite >= JSON_EVERY_MS || (total !== undefined && bytes >= total)) write(line);
      else pending = line;
    },
    stop() {
      if (pending !== undefined) write(pending);
    },
  };
}

function barProgress(label: string): Progress {
  const started = Date.now();
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% {done}/{all} {rate}/s ETA {eta_formatted}`,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  let begun = false;
  return {
    update(bytes, total, offset = 0) {
      const rate = rateOf(bytes, offset, started, Date.now());
      const payload = { done: human(bytes), all: total !== undefined ? human(total) : '?', rate: rate === undefined ? '-' : human(rate) };
      if (!begun) {
        bar.start(total ?? 0, bytes, payload);
        begun = true;
      } else {
        if (total !== undefined) bar.setTotal(total);
        bar.update(bytes, payload);
      }
    },
    stop() {
      if (begun) bar.stop();
    },
  };
}
