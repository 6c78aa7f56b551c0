import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flags {@link tuneHeapForServing} sets, each with the pattern that marks it as already
 * chosen by the operator (in node's arguments or `NODE_OPTIONS`), in which case it is left alone.
 */
export const SERVING_HEAP_FLAGS: ReadonlyArray<{ flag: string; chosen: RegExp }> = [
  // The young generation stays at its starting size (1-2 MiB semi-spaces).
  { flag: '--semi-space-growth-factor=1', chosen: /semi[-_]space/ },
  // After a full GC the old generation may grow by a fifth before the next one.
  { flag: '--heap-growing-percent=20', chosen: /heap[-_]growing/ },
];

/**
 * Tunes V8's heap for a server: many connections that each allocate a little, almost all of it
 * short-lived. Left alone, a burst of connections makes V8 double the young generation up to
 * 2 x 16 MiB and let the old generation grow to several times what is live before collecting it;
 * those pages stay resident after the burst (issue 18: a 200-client burst took the program from
 * ~30 to 65-80 MiB PSS; with both flags its peak stayed near 40, with no measurable CPU cost).
 *
 * Set at run time, because the program may not re-spawn itself and the bin is started as
 * `node main.js` as often as through its shebang. Only flags that V8 reads each time it sizes the
 * heap work this way: `--max-semi-space-size` is read once when the heap is set up, so setting it
 * here would do nothing. Returns the flags it set.
 */
export function tuneHeapForServing(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = [...execArgv, nodeOptions];
  const set: string[] = [];
  for (const { flag, chosen } of SERVING_HEAP_FLAGS) {
    if (given.some((arg) => chosen.test(arg))) continue;
    setFlagsFromString(flag);
    set.push(flag);
  }
  return set;
}
