import { connect, type Socket } from 'node:net';
import { DataChannelError } from '@ftpkit/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { listenPassive, type PassiveListener } from './passive-listener.js';
import { PortAllocator } from './port-allocator.js';

const open: Array<PassiveListener | Socket> = [];
afterEach(() => {
  for (const item of open.splice(0)) {
    if ('destroy' in item) item.destroy();
    else item.close();
  }
});

function dial(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(s));
    s.once('error', reject);
    open.push(s);
  });
}

function closedByPeer(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.on('error', () => undefined);
    socket.once('close', () => resolve());
    socket.resume();
  });
}

async function listen(portRange?: readonly [number, number] | PortAllocator): Promise<PassiveListener> {
  const l = await listenPassive({ host: '127.0.0.1', controlPeer: '127.0.0.1', ...(portRange ? { portRange } : {}) });
  open.push(l);
  return l;
}

describe('listenPassive', () => {
  it('resolves accept on the connection event', async () => {
    const l = await listen();
    const accepted = l.accept(5_000);
    const client = await dial(l.port);
    const server = await accepted;
    client.write('hello');
    server.resume();
    const data = await new Promise<string>((resolve) => server.once('data', (d: Buffer) => resolve(d.toString())));
    expect(data).toBe('hello');
    server.destroy();
    expect(l.closed).toBe(true);
  });

  it('keeps a connection that arrives before accept, with its early bytes', async () => {
    const l = await listen();
    const client = await dial(l.port);
    client.write('early');
    await new Promise((r) => setTimeout(r, 50));
    const server = await l.accept(1_000);
    const chunks: Buffer[] = [];
    server.on('data', (d: Buffer) => chunks.push(d));
    server.resume();
    client.end();
    await new Promise((r) => server.once('end', r));
    expect(Buffer.concat(chunks).toString()).toBe('early');
    server.destroy();
  });

  it('drops a connection from another address without consuming the listener', async () => {
    const rejected: string[] = [];
    const l = await listenPassive({
      host: '127.0.0.1',
      controlPeer: '127.0.0.1',
      onRejected: (a) => rejected.push(a),
    });
    open.push(l);
    const intruder = await dial(l.port, '127.0.0.2');
    await closedByPeer(intruder);
    expect(rejected).toEqual(['127.0.0.2']);
    expect(l.rejected).toBe(1);
    expect(l.closed).toBe(false);
    const accepted = l.accept(5_000);
    await dial(l.port);
    const server = await accepted;
    expect(server.remoteAddress).toBe('127.0.0.1');
    server.destroy();
  });

  it('times out with DataChannelError(timeout)', async () => {
    const l = await listen();
    const err = await l.accept(50).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataChannelError);
    expect((err as DataChannelError).code).toBe('timeout');
  });

  it('rejects accept on abort', async () => {
    const l = await listen();
    const ac = new AbortController();
    const p = l.accept(5_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'reset' });
  });

  it('closes when the listen signal aborts', async () => {
    const ac = new AbortController();
    const l = await listenPassive({ host: '127.0.0.1', controlPeer: '127.0.0.1', signal: ac.signal });
    const p = l.accept(5_000);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'reset' });
    expect(l.closed).toBe(true);
  });

  it('gives distinct ports from a range and refuses when it is exhausted', async () => {
    // Find two consecutive free ports by binding ephemeral ones and probing the range around it.
    const probe = await listen();
    const base = probe.port;
    probe.close();
    const allocator = new PortAllocator([base, base + 1]);
    const a = await listen(allocator);
    const b = await listen(allocator);
    expect(a.port).not.toBe(b.port);
    await expect(listen(allocator)).rejects.toMatchObject({ code: 'refused' });
    a.close();
    const c = await listen(allocator);
    expect(c.port).toBe(a.port);
  });

  it('skips a port of the range taken by another program', async () => {
    const blocker = await listen();
    const allocator = new PortAllocator([blocker.port, blocker.port]);
    await expect(listen(allocator)).rejects.toMatchObject({ code: 'refused' });
    expect(allocator.inUse).toBe(0);
  });
});
