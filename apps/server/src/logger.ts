import type { Logger } from '@ftpkit/server';
import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './server-config.js';

/** The program's logger: pino to stderr, as JSON or through pino-pretty (in-process, no worker). */
export function createLogger(level: LogLevel, format: LogFormat): Logger & { flush?: () => void } {
  if (format === 'pretty') {
    return pino({ level }, pretty({ destination: 2, colorize: process.stderr.isTTY, sync: true, ignore: 'pid,hostname' }));
  }
  return pino({ level }, pino.destination({ dest: 2, sync: true }));
}
