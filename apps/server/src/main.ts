#!/usr/bin/env node
import { processIo, runCli } from './cli.js';

// The program owns the process: signals and the exit status live here, not in the library.
const io = processIo();
let stopping = false;
io.onRunning = ({ stop, reloadTls }) => {
  if (reloadTls !== undefined) {
    process.on('SIGHUP', () => {
      try {
        reloadTls();
        process.stderr.write('ftpkit-server: SIGHUP, TLS certificate reloaded for new connections\n');
      } catch (err) {
        process.stderr.write(`ftpkit-server: SIGHUP, TLS reload failed, keeping the old certificate: ${(err as Error).message}\n`);
      }
    });
  }
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
