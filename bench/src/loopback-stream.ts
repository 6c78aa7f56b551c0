import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { track } from './process-utils.js';

/** A child that listens on 127.0.0.1 and printed its port. */
export interface PortChild {
  readonly port: number;
  readonly child: ChildProcess;
  /** Kills the child (by PID) when it still runs. */
  kill(): void;
}

/**
 * Spawns `node script ...args`, waits for the port it prints on its first stdout line, and kills it
 * by PID after `timeoutMs` whatever happens.
 */
export async function spawnPortChild(script: string, args: readonly string[], timeoutMs: number): Promise<PortChild> {
  const child = track(spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const kill = (): void => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
  };
  const killer = setTimeout(kill, timeoutMs);
  child.once('exit', () => clearTimeout(killer));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (l) => resolve(Number(l)));
    child.once('close', (code) => reject(new Error(`${script} exited ${code} before printing its port`)));
  });
  if (!(port > 0)) { kill(); throw new Error(`${script} printed no port`); }
  return { port, child, kill };
}

/**
 * Connects to 127.0.0.1:`port` and throws away everything it receives, reading with `onread` into
 * one reused buffer (the cheapest receiver Node has). Resolves with the bytes and the time from
 * connect to the sender's end.
 */
export function discardFrom(port: number): Promise<{ bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let t0 = 0;
    const buf = Buffer.allocUnsafe(256 * 1024);
    const s = connect({ host: '127.0.0.1', port, onread: { buffer: buf, callback: (n: number) => { bytes += n; return true; } } }, () => { t0 = performance.now(); });
    s.on('end', () => {
      const ms = performance.now() - t0;
      s.destroy();
      resolve({ bytes, ms });
    });
    s.on('error', reject);
  });
}
