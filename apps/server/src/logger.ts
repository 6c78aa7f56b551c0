import type { Logger } from '@ftpkit/server';
import { pino } from 'pino';
import type { LogFormat, LogLevel } from './server-config.js';
import { requireOnDemand } from './require-on-demand.js';

/** The program's logger: pino to stderr, as JSON or through pino-pretty (in-process, no worker). */
export function createLogger(level: LogLevel, format: LogFormat): Logger & { flush?: () => void } {
  if (format === 'pretty') {
    // Required only for the pretty format (a terminal): JSON logging processes never load it.
    const pretty = requireOnDemand('pino-pretty') as typeof import('pino-pretty').build;
    return pino({ level }, pretty({ destination: 2, colorize: process.stderr.isTTY, sync: true, ignore: 'pid,hostname' }));
  }
  return pino({ level }, pino.destination({ dest: 2, sync: true }));
}
