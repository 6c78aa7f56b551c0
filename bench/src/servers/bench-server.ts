import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnServer, waitForPort } from '@ftpkit/test-servers';
import { track, withFdLimit } from '../process-utils.js';

/** Every server listens here; traffic stays on loopback. */
export const HOST = '127.0.0.1';

/** The repository root: the nearest folder up with pnpm-workspace.yaml (from src/ or the bundle in dist/). */
export const REPO_ROOT = ((): string => {
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`no pnpm-workspace.yaml above ${import.meta.dirname}`);
})();

/** A server under test, running in its own process tree. */
export interface BenchServer {
  /** Row label in the tables, e.g. `vsftpd` or `ftpkit-local`. */
  readonly name: string;
  /** Whether this row is ftpkit (ratios are ftpkit ÷ peer). */
  readonly ftpkit: boolean;
  readonly port: number;
  /** Root of the process tree whose memory is measured. */
  readonly pid: number;
  /** The folder the server serves, or undefined when it keeps files itself (memory storage). */
  readonly diskRoot: string | undefined;
  stop(): Promise<void>;
}

/** What every server is started with: one account, one data root, its own passive range. */
export interface ServerContext {
  readonly user: string;
  readonly password: string;
  /** The shared data root (on tmpfs when /dev/shm exists). */
  readonly root: string;
  /** Scratch folder for configs. */
  readonly workDir: string;
  /** uid/gid of the local account vsftpd and pure-ftpd map the login to. */
  readonly uid: number;
  readonly gid: number;
  /** Passive ports per server. */
  readonly pasvPorts: number;
}

async function portBindable(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

let nextBase = 2_000;

/**
 * A block of free ports below 32768, so client ephemeral ports (32768+) never collide with a
 * server's passive ports.
 */
export async function allocatePasvRange(count: number): Promise<[number, number]> {
  // Once through the space, start over: a server binds its passive ports only while it
  // transfers, and measurements run one at a time, so a range shared with an idle server is free.
  for (let pass = 0; pass < 2; pass++) {
    while (nextBase + count <= 32_700) {
      const base = nextBase;
      nextBase += count;
      let ok = true;
      for (let p = base; p < base + count && ok; p++) ok = await portBindable(p);
      if (ok) return [base, base + count - 1];
    }
    nextBase = 2_000;
  }
  throw new Error(`no free range of ${count} passive ports below 32700`);
}

/** A certificate and its key (PEM files) for a server started with explicit TLS (AUTH TLS). */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Spawns a server process with a raised fd limit and waits until it accepts connections. */
export async function launch(name: string, cmd: string, args: readonly string[], port: number, opts: { cwd?: string } = {}): Promise<{ pid: number; stop: () => Promise<void> }> {
  const [c, a] = withFdLimit(cmd, args);
  const proc = spawnServer(c, a, opts);
  track(proc.child);
  try {
    await waitForPort(HOST, port, proc.child, 20_000);
  } catch (err) {
    await proc.stop();
    throw new Error(`${name} failed to start: ${(err as Error).message}\n${proc.output()}`);
  }
  const pid = proc.child.pid;
  if (pid === undefined) throw new Error(`${name}: no pid`);
  return { pid, stop: proc.stop };
}
