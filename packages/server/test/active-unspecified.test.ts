import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASS, putFile, requireProgram, run, startServer, USER, type Harness } from './harness.js';
import { RawClient } from './raw-client.js';

const hasLftp = requireProgram('lftp');

/** A data listener (the active-mode client side) on `host`: resolves with what the server sends. */
async function dataListener(host: string): Promise<{ server: Server; port: number; received: Promise<string> }> {
  const server = createServer();
  const received = new Promise<string>((resolve) => {
    server.once('connection', (s) => {
      let text = '';
      s.setEncoding('utf8').on('data', (d: string) => (text += d));
      s.on('close', () => resolve(text));
    });
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return { server, port: (server.address() as AddressInfo).port, received };
}

async function activeRetr(c: RawClient, host: string, command: (port: number) => string): Promise<{ setup: number; text?: string; end?: number }> {
  const l = await dataListener(host);
  try {
    const setup = (await c.cmd(command(l.port))).code;
    if (setup !== 200) return { setup };
    expect((await c.cmd('RETR f.txt')).code).toBe(150);
    const text = await l.received;
    return { setup, text, end: (await c.next())?.code ?? 0 };
  } finally {
    l.server.close();
  }
}

// Issue 18 point 4: the unspecified address in PORT/EPRT means the control connection's peer.
describe('PORT/EPRT with the unspecified address', () => {
  let v4: Harness;
  let v6: Harness;
  beforeAll(async () => {
    v4 = await startServer('memory');
    v6 = await startServer('memory', {}, '::1');
    await putFile(v4.storage, '/f.txt', new TextEncoder().encode('hello'));
    await putFile(v6.storage, '/f.txt', new TextEncoder().encode('hello6'));
  });
  afterAll(async () => {
    await v4.close();
    await v6.close();
  });

  it('IPv6 loopback: EPRT |2|::|port| connects back to the control peer (::1); EPRT to another address is still refused', async () => {
    const c = await RawClient.connectTo(v6.port, '::1');
    try {
      await c.login(USER, PASS);
      expect(await activeRetr(c, '::1', (p) => `EPRT |2|::|${p}|`)).toEqual({ setup: 200, text: 'hello6', end: 226 });
      expect(await activeRetr(c, '::1', (p) => `EPRT |2|0:0:0:0:0:0:0:0|${p}|`)).toEqual({ setup: 200, text: 'hello6', end: 226 });
      expect((await activeRetr(c, '::1', (p) => `EPRT |2|::2|${p}|`)).setup).toBe(425);
    } finally {
      c.close();
    }
  });

  it('IPv4: PORT 0,0,0,0,p1,p2 and EPRT |1|0.0.0.0|port| connect back to 127.0.0.1; PORT to 127.0.0.2 is still refused', async () => {
    const c = await RawClient.connect(v4.port);
    try {
      await c.login(USER, PASS);
      const port = (p: number, a = '0,0,0,0'): string => `PORT ${a},${p >> 8},${p & 255}`;
      expect(await activeRetr(c, '127.0.0.1', (p) => port(p))).toEqual({ setup: 200, text: 'hello', end: 226 });
      expect(await activeRetr(c, '127.0.0.1', (p) => `EPRT |1|0.0.0.0|${p}|`)).toEqual({ setup: 200, text: 'hello', end: 226 });
      expect((await activeRetr(c, '127.0.0.1', (p) => port(p, '127,0,0,2'))).setup).toBe(425);
    } finally {
      c.close();
    }
  });

  it.skipIf(!hasLftp)('lftp in active mode over IPv6 loopback (it sends EPRT |2|::|port|) downloads the file', async () => {
    const r = await run('lftp', [
      '-d',
      '-u', `${USER},${PASS}`,
      '-p', String(v6.port),
      '-e', 'set ftp:ssl-allow no; set ftp:passive-mode off; set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; cat f.txt; bye',
      '::1',
    ], { timeoutMs: 30_000 });
    expect(r.stderr).toMatch(/---> EPRT \|2\|::\|\d+\|/);
    expect(r.stdout).toBe('hello6');
    expect(r.code).toBe(0);
  });
});
