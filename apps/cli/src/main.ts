#!/usr/bin/env node
import { run } from './program.js';

// A reader that went away (`ftpkit ls URL | head`) is the end of the output, not a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

// The app owns the process: the exit status comes from here, not from the library.
process.exitCode = await run(process.argv);
