/**
 * The built ftpkit-server with no configuration serves what real traffic from one address looks
 * like (issue 18, point 3): a burst of 200 clients and 25 sessions logged in at once. The burst
 * comes from the bench's raw-socket load client, in its own process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../../../packages/server/test/raw-client.js';
import { programEnv, startProgram, type ProgramProcess } from '../src/test-support/s3-program.js';

/** The bench's load client (built by `pnpm build` with the rest of the workspace). */
const LOAD_CLIENT = join(import.meta.dirname, '..', '..', '..', 'bench', 'dist', 'children', 'load-client.js');

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** The program with its defaults: only a root, one user and JSON logs at warn; `env` adds to its environment. */
async function startDefault(env: NodeJS.ProcessEnv = {}): Promise<ProgramProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'ftpkit-defaults-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'srv');
  mkdirSync(root);
  writeFileSync(join(root, 'burst.bin'), Buffer.alloc(64 * 1024, 7));
  const program = await startProgram(['--root', root, '--user', 'u:pw'], programEnv({ FTPKIT_LOG_LEVEL: 'warn', ...env }));
  cleanup.push(() => program.stop());
  return program;
}

/** V8's young generation of a running program, from a diagnostic report it writes on SIGUSR2. */
async function youngGenerationBytes(program: ProgramProcess, reports: string): Promise<number> {
  program.child.kill('SIGUSR2');
  for (let i = 0; i < 200; i++) {
    const file = readdirSync(reports).find((f) => f.endsWith('.json'));
    if (file !== undefined) {
      try {
        const report = JSON.parse(readFileSync(join(reports, file), 'utf8')) as { javascriptHeap: { heapSpaces: Record<string, { memorySize: number }> } };
        const space = report.javascriptHeap.heapSpaces.new_space;
        if (space !== undefined) return space.memorySize;
      } catch {
        // Still being written.
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no diagnostic report within 10 s');
}

interface BurstOutcome {
  ok: number;
  failed: number;
  errors: Record<string, number>;
}

/** Runs the load client's burst mode (bounded: its own per-session timeout and a kill after 90 s). */
function burst(port: number, clients: number, spreadMs: number): Promise<BurstOutcome> {
  if (!existsSync(LOAD_CLIENT)) throw new Error(`${LOAD_CLIENT} is missing: run \`pnpm build\` first (pnpm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD_CLIENT, 'burst', '127.0.0.1', String(port), 'u', 'pw', String(clients), String(spreadMs), 'burst.bin', '60000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`load client exited ${code}: ${out} ${err}`));
      else resolve(JSON.parse(line) as BurstOutcome);
    });
  });
}

describe('ftpkit-server with default settings', () => {
  it('serves a burst of 200 clients from 127.0.0.1, released at once and spread over 1 s', async () => {
    const program = await startDefault();
    for (const spreadMs of [0, 1000]) {
      const r = await burst(program.port, 200, spreadMs);
      expect({ spreadMs, ok: r.ok, errors: r.errors }).toEqual({ spreadMs, ok: 200, errors: {} });
    }
    expect(program.stderr()).not.toMatch(/max-connections/);
  }, 240_000);

  it('keeps its young generation small through a burst, so the memory a burst takes is not held by V8 (issue 18)', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'ftpkit-reports-'));
    cleanup.push(() => rmSync(reports, { recursive: true, force: true }));
    // Node's diagnostic report (its own flags, none about the heap) shows the heap from outside.
    const program = await startDefault({ NODE_OPTIONS: `--report-on-signal --report-signal=SIGUSR2 --report-directory=${reports}` });
    const r = await burst(program.port, 200, 0);
    expect(r.ok).toBe(200);
    // Left to grow, V8 doubles it up to 2 x 16 MiB in such a burst and keeps those pages.
    expect(await youngGenerationBytes(program, reports)).toBeLessThanOrEqual(4 * 1024 * 1024);
  }, 240_000);

  it('keeps 25 sessions from one host logged in at once', async () => {
    const program = await startDefault();
    const sessions = await Promise.all(Array.from({ length: 25 }, async () => {
      const c = await RawClient.connect(program.port);
      cleanup.push(() => c.close());
      return c;
    }));
    await Promise.all(sessions.map((s) => s.login('u', 'pw')));
    const replies = await Promise.all(sessions.map((s) => s.cmd('NOOP')));
    expect(replies.map((r) => r.code)).toEqual(Array.from({ length: 25 }, () => 200));
    const sizes = await Promise.all(sessions.slice(0, 5).map((s) => s.retr('burst.bin', 30_000)));
    expect(sizes.map((b) => b.length)).toEqual(Array.from({ length: 5 }, () => 65_536));
  });
});
