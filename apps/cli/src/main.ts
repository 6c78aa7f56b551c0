#!/usr/bin/env node
import { run } from './program.js';

// The app owns the process: the exit status comes from here, not from the library.
process.exitCode = await run(process.argv);
