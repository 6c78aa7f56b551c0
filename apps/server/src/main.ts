#!/usr/bin/env node
import { processIo, runCli } from './cli.js';
import { tuneHeapForServing } from './heap-tuning.js';

// Before any connection: the young generation is kept small for the life of the process.
tuneHeapForServing();

// The program owns the process: signals and the exit status live here, not in the library.
// Every message goes through the logger: with the JSON format, every line of stderr is JSON.
const io = processIo();
let stopping = false;
// Installed before anything else: SIGHUP's default action ends the process, and logrotate or
// `systemctl reload` may send it at any time. Before the server runs there is nothing to reload.
let reload: (() => void) | undefined;
process.on('SIGHUP', () => reload?.());
io.onRunning = ({ stop, reload: reloadNow, logger }) => {
  reload = reloadNow;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'signal again: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'draining: no new connections, health 503, running transfers may finish');
    // Sockets that wait for nothing (a refused connection's, a paused one's) do not keep Node's
    // event loop alive: without this, the process could end with status 0 halfway through the
    // close, before the lines of cut transfers and "stopped" were written.
    setInterval(() => undefined, 60_000);
    stop().then(
      () => {
        logger.info({ signal }, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ signal, err }, 'stopped with an error');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
};
const code = await runCli(process.argv.slice(2), io);
if (code !== undefined) process.exit(code);
