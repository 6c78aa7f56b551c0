import { get } from 'node:http';
import { createFtpServer } from '@ftpkit/server';
import { memoryStorage } from '@ftpkit/storage-memory';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { startHealthEndpoint } from './health.js';
import { resolveConfig } from './server-config.js';

function status(port: number): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('--health', () => {
  it('answers 200 while accepting, 503 once marked draining and while the server closes', async () => {
    const server = createFtpServer({ storage: memoryStorage() });
    await server.listen(0);
    const health = await startHealthEndpoint(server, { host: '127.0.0.1', port: 0 });
    try {
      expect(await status(health.address.port)).toEqual({ code: 200, body: 'accepting\n' });
      health.markDraining();
      expect(await status(health.address.port)).toEqual({ code: 503, body: 'draining\n' });
      const drained = new Promise<void>((resolve) => server.once('draining', resolve));
      await server.close({ graceMs: 0 });
      await drained;
      expect(server.draining).toBe(true);
      expect((await status(health.address.port)).code).toBe(503);
    } finally {
      await health.close();
    }
  });
});

describe('load-balancer settings', () => {
  it('resolves --proxy-protocol, --proxy-trusted, --health, --grace-ms, --drain-delay-ms from flags, env and file', () => {
    const c = resolveConfig(
      { proxyProtocol: 'v2', proxyTrusted: '10.0.0.0/8, fd00::/8', health: '127.0.0.1:8080', graceMs: '30000' },
      { FTPKIT_DRAIN_DELAY_MS: '2000' },
      '/tmp',
    );
    expect(c.proxyProtocol).toEqual({ mode: 'v2', trusted: ['10.0.0.0/8', 'fd00::/8'] });
    expect(c.health).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.graceMs).toBe(30_000);
    expect(c.drainDelayMs).toBe(2_000);
    const d = resolveConfig({}, {}, '/tmp');
    expect(d.proxyProtocol).toBeUndefined();
    expect(d.health).toBeUndefined();
    expect(d.graceMs).toBe(10_000);
    expect(d.drainDelayMs).toBe(0);
  });

  it('refuses a PROXY mode without trusted addresses, bad CIDRs, and trusted addresses without a mode', () => {
    expect(() => resolveConfig({ proxyProtocol: 'any' }, {}, '/tmp')).toThrow(/--proxy-protocol: needs --proxy-trusted/);
    expect(() => resolveConfig({ proxyProtocol: 'v1', proxyTrusted: '10.0.0.0/40' }, {}, '/tmp')).toThrow(ConfigError);
    expect(() => resolveConfig({ proxyTrusted: '10.0.0.1' }, {}, '/tmp')).toThrow(/--proxy-trusted: needs --proxy-protocol/);
    expect(() => resolveConfig({ proxyProtocol: 'v3', proxyTrusted: '10.0.0.1' }, {}, '/tmp')).toThrow(/must be one of off, v1, v2, any/);
    expect(() => resolveConfig({ graceMs: '-1' }, {}, '/tmp')).toThrow(/--grace-ms/);
  });
});
