import { setFlagsFromString } from 'node:v8';

/** The V8 flag that {@link tuneHeapForServing} sets, as `setFlagsFromString` takes it. */
export const SEMI_SPACE_FLAG = '--semi-space-growth-factor=1';

/**
 * Keeps V8's young generation at its starting size (1 MiB semi-spaces) for the life of the
 * process. A server allocates a little per command and per connection, all of it short-lived; at
 * a burst of connections V8 otherwise doubles the young generation up to 2 x 16 MiB, and those
 * pages stay resident after the burst (issue 18: a 200-client burst took the program from ~30 to
 * ~75-90 MiB PSS, 32 MiB of it the young generation; with this it stays at 2 MiB). The cost is
 * more frequent scavenges of a small space, each cheap because almost nothing survives.
 *
 * It is set at run time, because the program may not re-spawn itself and the bin is started as
 * `node main.js` as often as through its shebang. `--max-semi-space-size` is read once when the
 * heap is set up, so setting it here would do nothing; the growth factor is read each time the
 * space would grow. Left alone when the operator chose young-generation flags (`NODE_OPTIONS`
 * or node's own arguments). Returns whether the flag was set.
 */
export function tuneHeapForServing(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  const chosen = [...execArgv, nodeOptions].some((arg) => /semi[-_]space/.test(arg));
  if (chosen) return false;
  setFlagsFromString(SEMI_SPACE_FLAG);
  return true;
}
