import { readdir, readFile } from 'node:fs/promises';
import { sleep } from './process-utils.js';

/** The PID and all descendants of `root` (vsftpd and pure-ftpd fork a process per session). */
export async function processTree(root: number): Promise<number[]> {
  const parent = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parent.get(ppid) ?? [];
      list.push(Number(entry));
      parent.set(ppid, list);
    } catch { /* exited meanwhile */ }
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0 && out.length < 100_000) {
    const pid = todo.pop() as number;
    out.push(pid);
    todo.push(...(parent.get(pid) ?? []));
  }
  return out;
}

/**
 * Memory of one process in bytes: its PSS (proportional set size) when the kernel reports it, so
 * pages that forked session processes share with their parent are counted once over the tree,
 * else its RSS.
 */
async function processMemory(pid: number): Promise<number> {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const m = /^Pss:\s+(\d+) kB/m.exec(rollup);
    if (m) return Number(m[1]) * 1024;
  } catch { /* no smaps_rollup or exited */ }
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
    if (m) return Number(m[1]) * 1024;
  } catch { /* exited */ }
  return 0;
}

/** Memory of a server's whole process tree now, in bytes (see {@link processMemory}). */
export async function treeMemory(root: number): Promise<number> {
  let sum = 0;
  for (const pid of await processTree(root)) sum += await processMemory(pid);
  return sum;
}

/** Samples {@link treeMemory} until `stop()`, which resolves with the peak seen. */
export function samplePeakMemory(root: number, intervalMs = 50): { stop: () => Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await treeMemory(root));
      await sleep(intervalMs);
    }
    peak = Math.max(peak, await treeMemory(root));
  })();
  return { stop: async () => { running = false; await loop; return peak; } };
}
