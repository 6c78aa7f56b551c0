import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FtpServer, HookRunner } from '@ftpkit/server';
import type { Registry } from 'prom-client';
import type { MetricsAddress } from './endpoint-address.js';
import { registerEventLoopDelaySummary } from './event-loop-summary.js';
import { requireOnDemand } from './require-on-demand.js';

/** A running metrics endpoint. */
export interface MetricsEndpoint {
  address: AddressInfo;
  registry: Registry;
  /** Stop the HTTP listener and the event-loop monitor, and detach from the server. */
  close(): Promise<void>;
}

/** The DataChannelError code of a failed transfer's error, if it is one. */
function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { name?: unknown; code?: unknown };
  return e.name === 'DataChannelError' && typeof e.code === 'string' ? e.code : undefined;
}

/** `--hook` counters, read from the runner at each scrape (the runner owns the counts). */
function registerHookMetrics(registry: Registry, hooks: HookRunner, prom: typeof import('prom-client')): void {
  new prom.Counter({
    name: 'ftpkit_hook_runs_total',
    help: 'Post-event hook runs by result (succeeded; failed after retries; dropped: queue full; retried: URL retries)',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      const s = hooks.stats();
      this.reset();
      for (const result of ['succeeded', 'failed', 'dropped', 'retried'] as const) this.inc({ result }, s[result]);
    },
  });
  new prom.Gauge({
    name: 'ftpkit_hook_queue',
    help: 'Post-event hook runs waiting (queued) and running now',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const s = hooks.stats();
      this.set({ state: 'queued' }, s.queued);
      this.set({ state: 'running' }, s.running);
    },
  });
  new prom.Counter({
    name: 'ftpkit_hook_decisions_total',
    help: 'Pre-hook decisions by verdict (allow, deny, unavailable)',
    labelNames: ['verdict'],
    registers: [registry],
    collect() {
      const d = hooks.stats().decisions;
      this.reset();
      for (const verdict of ['allow', 'deny', 'unavailable'] as const) this.inc({ verdict }, d[verdict]);
    },
  });
}

/**
 * Prometheus counters fed from the server's typed events, plus the process's default metrics
 * (RSS, open descriptors, ...) and the event-loop delay measured by `perf_hooks`.
 * Every name starts with `ftpkit_`. Nothing listens until {@link startMetricsEndpoint}.
 */
export function createMetricsRegistry(server: FtpServer, hooks?: HookRunner): { registry: Registry; detach: () => void } {
  // Required here, not imported at the top: the program loads prom-client only with --metrics.
  const { Counter, Gauge, Registry: PromRegistry, collectDefaultMetrics } = requireOnDemand('prom-client') as typeof import('prom-client');
  const registry = new PromRegistry();
  collectDefaultMetrics({ register: registry });
  const sessionsOpen = new Gauge({ name: 'ftpkit_sessions_open', help: 'Control connections open now', registers: [registry] });
  const sessions = new Counter({ name: 'ftpkit_sessions_total', help: 'Control connections accepted', registers: [registry] });
  const refused = new Counter({
    name: 'ftpkit_connections_refused_total',
    help: 'Connections refused: by limits before a session started, or from a banned address',
    labelNames: ['reason'],
    registers: [registry],
  });
  const logins = new Counter({ name: 'ftpkit_logins_total', help: 'Login attempts by result', labelNames: ['result'], registers: [registry] });
  const transfers = new Counter({
    name: 'ftpkit_transfers_total',
    help: 'Data transfers ended, by direction (upload, download, list) and result (ok, failed, aborted)',
    labelNames: ['direction', 'result'],
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'ftpkit_transfer_bytes_total',
    help: 'Bytes moved over data connections, by direction',
    labelNames: ['direction'],
    registers: [registry],
  });
  const replies = new Counter({ name: 'ftpkit_replies_total', help: 'Replies sent, by code', labelNames: ['code'], registers: [registry] });
  const dataErrors = new Counter({
    name: 'ftpkit_data_channel_errors_total',
    help: 'Transfers that ended on a data-connection failure, by DataChannelError code',
    labelNames: ['code'],
    registers: [registry],
  });
  for (const direction of ['upload', 'download', 'list']) {
    bytes.inc({ direction }, 0);
    for (const result of ['ok', 'failed', 'aborted']) transfers.inc({ direction, result }, 0);
  }
  logins.inc({ result: 'ok' }, 0);
  logins.inc({ result: 'failed' }, 0);

  if (hooks !== undefined) registerHookMetrics(registry, hooks, requireOnDemand('prom-client') as typeof import('prom-client'));

  const stopLoopDelay = registerEventLoopDelaySummary(registry);

  const onStart = (): void => {
    sessions.inc();
    sessionsOpen.inc();
  };
  const onEnd = (): void => sessionsOpen.dec();
  const onRefused = ({ reason }: { reason: string }): void => refused.inc({ reason });
  const onLogin = (): void => logins.inc({ result: 'ok' });
  const onLoginFailed = (): void => logins.inc({ result: 'failed' });
  const onTransferEnd = (e: { direction: string; ok: boolean; aborted: boolean; bytes: number; error?: unknown }): void => {
    transfers.inc({ direction: e.direction, result: e.ok ? 'ok' : e.aborted ? 'aborted' : 'failed' });
    bytes.inc({ direction: e.direction }, e.bytes);
    const code = e.ok ? undefined : errorCode(e.error);
    if (code !== undefined) dataErrors.inc({ code });
  };
  const onReply = ({ code }: { code: number }): void => replies.inc({ code: String(code) });
  server.on('connection-start', onStart);
  server.on('connection-end', onEnd);
  server.on('connection-refused', onRefused);
  server.on('login', onLogin);
  server.on('login-failed', onLoginFailed);
  server.on('transfer-end', onTransferEnd);
  server.on('reply', onReply);
  return {
    registry,
    detach: () => {
      stopLoopDelay();
      server.off('connection-start', onStart);
      server.off('connection-end', onEnd);
      server.off('connection-refused', onRefused);
      server.off('login', onLogin);
      server.off('login-failed', onLoginFailed);
      server.off('transfer-end', onTransferEnd);
      server.off('reply', onReply);
    },
  };
}

/**
 * Serve `GET /metrics` (Prometheus text format) for `server` on `host:port`. The listener is
 * unref'd: it never keeps the process alive on its own.
 */
export async function startMetricsEndpoint(server: FtpServer, where: MetricsAddress, hooks?: HookRunner): Promise<MetricsEndpoint> {
  const { registry, detach } = createMetricsRegistry(server, hooks);
  const http: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    http.once('error', (err) => {
      detach();
      reject(err);
    });
    http.listen({ host: where.host, port: where.port }, () => resolve(http.address() as AddressInfo));
  });
  http.unref();
  return {
    address,
    registry,
    close: () =>
      new Promise<void>((resolve) => {
        detach();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
