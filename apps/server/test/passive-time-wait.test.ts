/**
 * Passive ports and TIME_WAIT (issue 18, point 2). The server closes each data connection first,
 * so every transfer leaves a TIME_WAIT socket on the server's passive port for a minute. A listener
 * on port 0 lets the kernel choose, and the kernel skips every port that still has a TIME_WAIT
 * socket: at N data connections a minute, with N the size of the ephemeral range, listens get
 * slower and then fail (425) — a sustained rate of at most range ÷ 60 s (28,232 ÷ 60 ≈ 470/s with
 * Linux's default range, the 260–400 files/s seen). ftpkit picks the port itself, at random, from a
 * range outside the ephemeral one; binding a port held only by TIME_WAIT sockets succeeds there
 * (SO_REUSEADDR, which Node sets on listening sockets), and the client's own connections never
 * compete for those ports. With listeners on port 0 this test fails after ~1022 transfers.
 *
 * The test runs the built program in a network namespace of its own whose ephemeral range is
 * shrunk to 1024 ports, so it can pile up more TIME_WAIT sockets than that range holds in seconds
 * without touching the machine's other connections.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAIN } from '../src/test-support/s3-program.js';

const DRIVER = join(import.meta.dirname, 'time-wait-driver.mjs');
const EPHEMERAL = '40000 41023';
const TRANSFERS = 2500;

/** Whether this process may make network namespaces (root with unshare and ip); CI must. */
function namespacesAvailable(): boolean {
  const ok = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  if (!ok && process.env.CI) throw new Error('passive-time-wait needs root with unshare and ip (util-linux, iproute2)');
  return ok;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function runInNamespace(root: string): Promise<{ ok: number; error: string; tw: number }> {
  const script = `ip link set lo up && sysctl -qw net.ipv4.ip_local_port_range="${EPHEMERAL}" && exec "$0" "$@"`;
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-n', 'sh', '-c', script, process.execPath, DRIVER, MAIN, root, String(TRANSFERS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 280_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (!line.startsWith('{')) reject(new Error(`driver exited ${code}: ${out} ${err}`));
      else resolve(JSON.parse(line) as { ok: number; error: string; tw: number });
    });
  });
}

describe('ftpkit-server passive ports under TIME_WAIT, default settings', () => {
  it(`serves ${TRANSFERS} data connections in a row where the ephemeral range has 1024 ports`, async () => {
    if (!namespacesAvailable()) return;
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-tw-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'srv'));
    writeFileSync(join(dir, 'srv', 'small.bin'), Buffer.alloc(4096, 1));
    const r = await runInNamespace(join(dir, 'srv'));
    expect(r).toMatchObject({ ok: TRANSFERS, error: '' });
    // More TIME_WAIT sockets than the ephemeral range has ports: the listeners were never in it.
    expect(r.tw).toBeGreaterThan(1024);
  }, 300_000);
});
