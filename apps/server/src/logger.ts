import type { Logger } from '@ftpkit/server';
import { pino } from 'pino';
import type { LogFormat, LogLevel } from './server-config.js';
import { requireOnDemand } from './require-on-demand.js';

/**
 * The program's logger: pino to stderr, as JSON or through pino-pretty (in-process, no worker).
 * Timestamps are ISO 8601 in UTC (`"time":"2026-01-02T03:04:05.678Z"`) in both formats, so a log
 * pipeline or fail2ban reads them without a custom date pattern.
 */
export function createLogger(level: LogLevel, format: LogFormat): Logger & { flush?: () => void } {
  const options = { level, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'pretty') {
    // Required only for the pretty format (a terminal): JSON logging processes never load it.
    const pretty = requireOnDemand('pino-pretty') as typeof import('pino-pretty').build;
    return pino(options, pretty({ destination: 2, colorize: process.stderr.isTTY, sync: true, ignore: 'pid,hostname', translateTime: 'UTC:yyyy-mm-dd"T"HH:MM:ss.l"Z"' }));
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}
