import cliProgress from 'cli-progress';

/** Progress reporting: a bar on a terminal, nothing otherwise. */
export interface Progress {
  update(bytes: number, total?: number): void;
  stop(): void;
}

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

/** A bar with bytes, rate and ETA on stderr, only when stderr is a terminal and not --quiet/--json. */
export function createProgress(label: string, opts: { quiet?: boolean; json?: boolean }): Progress {
  if (opts.quiet || opts.json || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
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
    update(bytes, total) {
      const secs = Math.max(0.001, (Date.now() - started) / 1000);
      const payload = { done: human(bytes), all: total !== undefined ? human(total) : '?', rate: human(bytes / secs) };
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
