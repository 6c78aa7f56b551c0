import { createServer, type Server } from 'node:net';
import { DataChannelError } from '@ftpkit/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { checkActiveTarget, connectActive } from './active-connection.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((s) => {
      s.on('error', () => undefined);
      s.end('data');
    });
    servers.push(server);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0 });
    });
  });
}

describe('connectActive', () => {
  it('refuses a foreign host (bounce, RFC 2577) without connecting', async () => {
    const err = await connectActive({ host: '127.0.0.2', port: 5000, controlPeer: '127.0.0.1', timeoutMs: 1000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataChannelError);
    expect((err as DataChannelError).code).toBe('peer-mismatch');
    expect(checkActiveTarget('8.8.8.8', 5000, '127.0.0.1')?.code).toBe('peer-mismatch');
  });

  it('refuses privileged ports', async () => {
    await expect(
      connectActive({ host: '127.0.0.1', port: 25, controlPeer: '127.0.0.1', timeoutMs: 1000 }),
    ).rejects.toMatchObject({ code: 'refused' });
    expect(checkActiveTarget('127.0.0.1', 1024, '::ffff:127.0.0.1')).toBeUndefined();
  });

  it('connects to the control peer', async () => {
    const { port } = await listen();
    const socket = await connectActive({ host: '127.0.0.1', port, controlPeer: '127.0.0.1', localAddress: '127.0.0.1', timeoutMs: 2000 });
    const data = await new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
    expect(data).toBe('data');
    socket.destroy();
  });

  it('falls back when the source port cannot be bound', async () => {
    const { port } = await listen();
    const other = await listen();
    // other.port is in use by a listener, so binding it as a source port fails.
    const socket = await connectActive({
      host: '127.0.0.1',
      port,
      controlPeer: '127.0.0.1',
      localAddress: '127.0.0.1',
      sourcePort: other.port,
      timeoutMs: 2000,
    });
    expect(socket.localPort).not.toBe(other.port);
    socket.destroy();
  });

  it('reports a refused connection as refused', async () => {
    const { server, port } = await listen();
    await new Promise((r) => server.close(r));
    await expect(connectActive({ host: '127.0.0.1', port, controlPeer: '127.0.0.1', timeoutMs: 2000 })).rejects.toMatchObject({
      code: 'refused',
    });
  });
});
