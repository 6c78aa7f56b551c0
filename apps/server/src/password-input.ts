import { read } from 'read';
import { ConfigError } from './config-error.js';

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function ask(prompt: string): Promise<string> {
  // terminal: true puts the terminal in raw mode, so not even the terminal driver echoes the keys.
  return read({ prompt, silent: true, terminal: true, output: process.stderr }).then((answer) => {
    process.stderr.write('\n');
    return String(answer);
  });
}

/**
 * The password for `hash-password`: on a terminal it is asked for twice without echo (as
 * pure-pw and passwd do) and the two must match; from a pipe or file, all of standard input.
 */
export async function readPasswordInput(): Promise<string> {
  if (process.stdin.isTTY !== true) return readAll();
  const first = await ask('Password:');
  const again = await ask('Repeat password:');
  if (first !== again) throw new ConfigError('hash-password', 'the two passwords do not match');
  return first;
}
