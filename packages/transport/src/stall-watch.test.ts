import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectOut } from './connect-out.js';
import { watchStall } from './stall-watch.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

async function pair(): Promise<{ near: Socket; far: Socket }> {
  let accepted: (s: Socket) => void = () => undefined;
  const far = new Promise<Socket>((r) => (accepted = r));
  const server: Server = createServer((s) => accepted(s));
  cleanup.push(() => server.close());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const near = await connectOut({ host: '127.0.0.1', port: typeof a === 'object' && a ? a.port : 0, timeoutMs: 5000 });
  const f = await far;
  f.on('error', () => undefined);
  cleanup.push(() => { near.destroy(); f.destroy(); });
  return { near, far: f };
}

describe('watchStall (the data timeout of both ends)', () => {
  it('fires once when nothing moves, and never while bytes flow', async () => {
    const { near, far } = await pair();
    near.resume();
    let stalls = 0;
    const stopped = new Promise<void>((resolve) => {
      const unwatch = watchStall(() => near, 1500, () => { stalls++; resolve(); });
      cleanup.push(unwatch);
    });
    // Bytes flow for longer than the timeout, a byte every 100 ms, then stop.
    for (let i = 0; i < 25; i++) {
      far.write('x');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stalls).toBe(0);
    await stopped;
    await new Promise((r) => setTimeout(r, 500));
    expect(stalls).toBe(1);
  });

  it('waits while there is no socket yet, and stops watching when told', async () => {
    const { near } = await pair();
    let current: Socket | undefined;
    let stalls = 0;
    const unwatch = watchStall(() => current, 200, () => stalls++);
    await new Promise((r) => setTimeout(r, 500));
    expect(stalls).toBe(0);
    current = near;
    unwatch();
    await new Promise((r) => setTimeout(r, 500));
    expect(stalls).toBe(0);
  });
});
