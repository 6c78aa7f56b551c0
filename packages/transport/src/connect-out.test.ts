import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { DataChannelError } from '@ftpkit/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { connectOut, isBindFailure } from './connect-out.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

async function listen(onConnection: (s: Socket) => void = (s) => s.end('hello')): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    onConnection(s);
  });
  cleanup.push(() => server.close());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0 };
}

/**
 * A port whose accept queue is full: a listener (python3, which can listen without accepting)
 * with backlog 0 and one connection already queued, so the kernel leaves further SYNs unanswered.
 */
async function fullPort(): Promise<number> {
  const py: ChildProcess = spawn('python3', ['-c', [
    'import socket, sys, time',
    's = socket.socket()',
    "s.bind(('127.0.0.1', 0))",
    's.listen(0)',
    'print(s.getsockname()[1], flush=True)',
    'sys.stdin.read()',
  ].join('\n')], { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanup.push(() => py.kill());
  const port = Number(await new Promise<string>((r) => py.stdout?.once('data', (d: Buffer) => r(d.toString().trim()))));
  const filler = await connectOut({ host: '127.0.0.1', port, timeoutMs: 5000 });
  cleanup.push(() => filler.destroy());
  return port;
}

describe('connectOut (client control and passive data, server active data)', () => {
  it('connects and reads', async () => {
    const { port } = await listen();
    const socket = await connectOut({ host: '127.0.0.1', port, timeoutMs: 5000 });
    cleanup.push(() => socket.destroy());
    const chunks: Buffer[] = [];
    for await (const c of socket) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello');
  });

  it('receives into the caller buffer with onread', async () => {
    const { port } = await listen((s) => s.end(Buffer.alloc(100_000, 7)));
    const buffer = Buffer.alloc(4096);
    let got = 0;
    let foreign = 0;
    const socket = await connectOut({
      host: '127.0.0.1', port, timeoutMs: 5000,
      onread: { buffer, callback: (n, b) => { got += n; if (b !== buffer) foreign++; return true; } },
    });
    await new Promise((r) => socket.once('end', r));
    socket.destroy();
    expect(got).toBe(100_000);
    expect(foreign).toBe(0);
  });

  it('reports a refused connection as refused, with the Node error as cause', async () => {
    const { server, port } = await listen();
    await new Promise((r) => server.close(r));
    const err = await connectOut({ host: '127.0.0.1', port, timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataChannelError);
    expect(err).toMatchObject({ code: 'refused', cause: { code: 'ECONNREFUSED' } });
    expect(isBindFailure(err)).toBe(false);
  });

  it('times out against a peer that never completes the connection', async () => {
    const port = await fullPort();
    const err = await connectOut({ host: '127.0.0.1', port, timeoutMs: 300, label: 'data connection' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataChannelError);
    expect(err).toMatchObject({ code: 'timeout', message: `data connection to 127.0.0.1:${port} timed out after 300 ms` });
  });

  it('stops when aborted, before and while connecting', async () => {
    const port = await fullPort();
    const early = new AbortController();
    early.abort();
    await expect(connectOut({ host: '127.0.0.1', port, timeoutMs: 5000, signal: early.signal })).rejects.toMatchObject({ code: 'reset' });
    const late = new AbortController();
    const pending = connectOut({ host: '127.0.0.1', port, timeoutMs: 10_000, signal: late.signal });
    setTimeout(() => late.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: 'reset' });
  });

  it('tells a local port that cannot be bound from a refusal', async () => {
    const { port } = await listen();
    const busy = await listen();
    const err = await connectOut({ host: '127.0.0.1', port, localAddress: '127.0.0.1', localPort: busy.port, timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'refused' });
    expect(isBindFailure(err)).toBe(true);
  });
});
