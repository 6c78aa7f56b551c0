import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { FtpServer, Logger } from '@ftpkit/server';
import type { MetricsAddress } from '../endpoint-address.js';
import { COOKIE, ConsoleLogins, sameSecret } from './console-auth.js';
import { ConsoleFeed } from './console-feed.js';
import { loginPage, appPage } from './console-pages.js';

/** A running console (`--console HOST:PORT`). */
export interface ConsoleEndpoint {
  address: AddressInfo;
  /** The page's URL (http or https). */
  url: string;
  close(): Promise<void>;
}

export interface ConsoleOptions {
  where: MetricsAddress;
  token: string;
  logger: Logger;
  /** Serve over TLS with the FTPS certificate (`current` is read for each reload). */
  tls?: { current(): SecureContextOptions; onReload(listener: () => void): void } | undefined;
}

/** Only the console's own files: no inline script or style, nothing from elsewhere, no framing. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const ASSETS: Record<string, string> = { '/assets/console.js': 'text/javascript; charset=utf-8', '/assets/console.css': 'text/css; charset=utf-8' };
const MAX_BODY = 4_096;
const WRONG_TOKEN_DELAY_MS = 1_000;

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string | string[]> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on the login form's POST.
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      }
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** A browser sends Origin on POST; one from another site is refused whatever else it carries. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * The web console: a login page (the token), the page and its two assets, a server-sent event
 * stream (`/api/events`: `state` once, then `tick` every second), and two actions
 * (`POST /api/sessions/ID/disconnect`, `POST /api/bans/ADDRESS/unban`) that need the login's cookie,
 * its CSRF token in `x-csrf-token`, and a same-origin request. Every action is logged with who did it.
 */
export async function startConsole(ftp: FtpServer, options: ConsoleOptions): Promise<ConsoleEndpoint> {
  const { logger } = options;
  const logins = new ConsoleLogins(options.token);
  const feed = new ConsoleFeed(ftp);
  const assetDir = new URL('./console/', import.meta.url);
  const secure = options.tls !== undefined;
  const streams = new Set<ServerResponse>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const from = req.socket.remoteAddress ?? '?';
    const login = logins.find(req.headers.cookie);
    if (req.method === 'GET' && url.pathname in ASSETS) {
      const file = url.pathname.slice('/assets/'.length);
      send(res, 200, await readFile(new URL(file, assetDir), 'utf8'), ASSETS[url.pathname]);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/favicon.ico') return send(res, 204, '');
    if (req.method === 'GET' && url.pathname === '/') {
      if (login === undefined) send(res, 200, loginPage(url.searchParams.has('wrong')), 'text/html; charset=utf-8');
      else send(res, 200, appPage(login.csrf), 'text/html; charset=utf-8');
      return;
    }
    if (req.method === 'POST' && url.pathname === '/login') {
      if (!sameOrigin(req)) return send(res, 403, 'cross-site request refused\n');
      const token = new URLSearchParams(await readBody(req)).get('token') ?? '';
      const opened = logins.open(token, from);
      if (opened === undefined) {
        logger.warn({ ip: from }, 'console: wrong token');
        // Slows a guesser down (the token is 192 random bits; this only keeps the log short).
        await new Promise((resolve) => setTimeout(resolve, WRONG_TOKEN_DELAY_MS));
        send(res, 303, '', 'text/plain', { location: '/?wrong' });
        return;
      }
      logger.info({ who: opened.who }, 'console: logged in');
      const cookie = `${COOKIE}=${opened.id}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
      send(res, 303, '', 'text/plain', { location: '/', 'set-cookie': cookie });
      return;
    }
    if (login === undefined) return send(res, 401, 'log in first\n');
    if (req.method === 'GET' && url.pathname === '/api/events') return openStream(res);
    if (req.method === 'GET' && url.pathname === '/api/state') return send(res, 200, JSON.stringify(await feed.state()), 'application/json');
    if (req.method !== 'POST') return send(res, 404, 'not found\n');
    if (!sameOrigin(req)) return send(res, 403, 'cross-site request refused\n');
    const csrf = req.headers['x-csrf-token'];
    if (typeof csrf !== 'string' || !sameSecret(csrf, login.csrf)) {
      logger.warn({ who: login.who, path: url.pathname }, 'console: action refused, missing or wrong CSRF token');
      return send(res, 403, 'missing or wrong CSRF token\n');
    }
    if (url.pathname === '/logout') {
      logins.close(login.id);
      logger.info({ who: login.who }, 'console: logged out');
      return send(res, 204, '');
    }
    const disconnect = /^\/api\/sessions\/(\d+)\/disconnect$/.exec(url.pathname);
    if (disconnect) {
      const id = Number(disconnect[1]);
      const target = ftp.sessions().find((s) => s.id === id);
      const done = ftp.disconnect(id);
      logger.info({ who: login.who, action: 'disconnect', session: id, user: target?.user, ip: target?.remoteAddress, ok: done }, 'console: disconnect session');
      return send(res, done ? 200 : 404, done ? 'disconnected\n' : 'no such session\n');
    }
    const unban = /^\/api\/bans\/([^/]+)\/unban$/.exec(url.pathname);
    if (unban) {
      const address = decodeURIComponent(unban[1]!);
      const done = await ftp.unban(address);
      logger.info({ who: login.who, action: 'unban', address, ok: done }, 'console: unban address');
      return send(res, done ? 200 : 404, done ? 'unbanned\n' : 'no such ban\n');
    }
    send(res, 404, 'not found\n');
  };

  const openStream = async (res: ServerResponse): Promise<void> => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
    });
    const write = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    write('state', await feed.state());
    // A stalled viewer is dropped rather than buffered without end.
    const unsubscribe = feed.subscribe((tick) => {
      if (res.writableLength > 1024 * 1024) {
        res.destroy();
        return;
      }
      write('tick', tick);
    });
    streams.add(res);
    res.on('close', () => {
      unsubscribe();
      streams.delete(res);
    });
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      logger.warn({ err }, 'console: request failed');
      if (!res.headersSent) send(res, 500, 'error\n');
      else res.destroy();
    });
  };
  let http: Server;
  if (options.tls !== undefined) {
    const tls = options.tls;
    const https = createHttpsServer({ ...tls.current() }, listener);
    tls.onReload(() => https.setSecureContext({ ...tls.current() }));
    http = https;
  } else {
    http = createHttpServer(listener);
  }
  http.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host: options.where.host, port: options.where.port }, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    address,
    url: `${secure ? 'https' : 'http'}://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((done) => {
        feed.close();
        for (const s of streams) s.destroy();
        http.close(() => done());
        http.closeAllConnections();
      }),
  };
}
