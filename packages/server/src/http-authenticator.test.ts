import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoginUnavailable } from '@ftpkit/session';
import { createHttpAuthenticator, parseHttpAuthUser } from './http-authenticator.js';
import type { ConnectionInfo } from './events.js';

// Against a real HTTP server on 127.0.0.1: each path answers one way.

const connection: ConnectionInfo = { id: 1, remoteAddress: '127.0.0.1', remotePort: 5000, localAddress: '127.0.0.1', localPort: 21, secure: true };
let server: Server;
let base = '';
const bodies: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      bodies.push(body);
      const answers: Record<string, () => void> = {
        '/ok': () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"root":"r","readOnly":true,"deny":["dele"],"quotaBytes":10,"uploadBytesPerSecond":5}'),
        '/forbidden': () => res.writeHead(403).end(),
        '/not-json': () => res.writeHead(200).end('<html>'),
        '/bad-user': () => res.writeHead(200).end('{"readOnly":"yes"}'),
        '/redirect': () => res.writeHead(302, { location: '/ok' }).end(),
        '/slow': () => setTimeout(() => res.writeHead(200).end('{}'), 2000),
      };
      (answers[req.url ?? ''] ?? (() => res.writeHead(500).end()))();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function outcome(path: string, timeoutMs = 1000): Promise<unknown> {
  try {
    return await createHttpAuthenticator({ url: `${base}${path}`, timeoutMs })('eve', 'pw', connection);
  } catch (err) {
    return isLoginUnavailable(err) ? 'unavailable' : err;
  }
}

describe('createHttpAuthenticator', () => {
  it('200 + user accepts with its settings; the request is { user, password, remoteAddress, tls }', async () => {
    expect(await outcome('/ok')).toEqual({ name: 'eve', root: 'r', readOnly: true, deny: ['DELE'], quota: { limitBytes: 10 }, uploadBytesPerSecond: 5 });
    expect(JSON.parse(bodies.at(-1) ?? '')).toEqual({ user: 'eve', password: 'pw', remoteAddress: '127.0.0.1', tls: true });
  });

  it('401/403 refuse; 5xx, a redirect, a 200 that is not a user, a timeout or no server are unavailable (421)', async () => {
    expect(await outcome('/forbidden')).toBeNull();
    expect(await outcome('/error')).toBe('unavailable');
    expect(await outcome('/redirect')).toBe('unavailable');
    expect(await outcome('/not-json')).toBe('unavailable');
    expect(await outcome('/bad-user')).toBe('unavailable');
    expect(await outcome('/slow', 200)).toBe('unavailable');
    const dead = await Promise.resolve(createHttpAuthenticator({ url: 'http://127.0.0.1:1/' })('eve', 'pw', connection)).catch((err: unknown) => err);
    expect(isLoginUnavailable(dead)).toBe(true);
  });

  it('parseHttpAuthUser refuses wrong types instead of guessing', () => {
    expect(parseHttpAuthUser({ quotaBytes: -1 }, 'x')).toBeUndefined();
    expect(parseHttpAuthUser([], 'x')).toBeUndefined();
    expect(parseHttpAuthUser({ name: 'y' }, 'x')).toEqual({ name: 'y' });
  });
});
