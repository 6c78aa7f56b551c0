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

  it('closes the port once the connection is handed out: a later one is refused by the kernel', async () => {
    const l = await listen();
    const first = await dial(l.port);
    const server = await l.accept(5_000);
    const late = await dial(l.port).catch((e: NodeJS.ErrnoException) => e.code);
    expect(late).toBe('ECONNREFUSED');
    first.write('mine');
    server.resume();
    const data = await new Promise<string>((resolve) => server.once('data', (d: Buffer) => resolve(d.toString())));
    expect(data).toBe('mine');
    server.destroy();
    expect(l.rejected).toBe(0);
  });

  it('hands out neither connection when a second one from the peer arrives before the transfer', async () => {
    const rejected: string[] = [];
    const l = await listenPassive({ host: '127.0.0.1', controlPeer: '127.0.0.1', onRejected: (_a, _p, why) => rejected.push(why) });
    open.push(l);
    const thief = await dial(l.port);
    const client = connect({ host: '127.0.0.1', port: l.port });
    open.push(client);
    await Promise.all([closedByPeer(thief), closedByPeer(client)]);
    await expect(l.accept(1_000)).rejects.toMatchObject({ code: 'refused' });
    expect(rejected).toEqual(['second-connection']);
  });

  it('does not hand out a connection while a racing one is still queued in the kernel', async () => {
    const rejected: string[] = [];
    const l = await listenPassive({ host: '127.0.0.1', controlPeer: '127.0.0.1', onRejected: (_a, _p, why) => rejected.push(why) });
    open.push(l);
    // The transfer command came first; two connections then complete in the same tick. Node
    // accepts one per turn of the event loop, so handing out the first at once would let the
    // kernel reset the second unseen when the port closes.
    const accepted = l.accept(5_000);
    const racers = [0, 1].map(() => {
      const s = connect({ host: '127.0.0.1', port: l.port });
      open.push(s);
      return s;
    });
    await expect(accepted).rejects.toMatchObject({ code: 'refused' });
    await Promise.all(racers.map((r) => closedByPeer(r)));
    expect(rejected).toEqual(['second-connection']);
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
