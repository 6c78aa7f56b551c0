#!/usr/bin/env node
import { processIo, runCli } from './cli.js';

// The program owns the process: signals and the exit status live here, not in the library.
const io = processIo();
let stopping = false;
// Installed before anything else: SIGHUP's default action ends the process, and logrotate or
// `systemctl reload` may send it at any time. Before the server runs there is nothing to reload.
let reload: (() => void) | undefined;
process.on('SIGHUP', () => reload?.());
io.onRunning = ({ stop, reload: reloadNow }) => {
  reload = reloadNow;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`ftpkit-server: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`ftpkit-server: ${signal}, draining: no new connections, health 503, running transfers may finish\n`);
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
};
const code = await runCli(process.argv.slice(2), io);
if (code !== undefined) process.exit(code);
