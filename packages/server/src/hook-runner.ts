import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isAbsolute } from 'node:path';
import type { AuthorizeVerdict } from './authorize.js';
import { silentLogger, type Logger } from './logger.js';

/** Events after an operation finished; their hooks never delay a reply. */
export const POST_HOOK_EVENTS = ['login', 'login-failed', 'upload', 'download', 'delete', 'rename', 'mkdir', 'rmdir'] as const;
/** Events before an operation; their hooks decide whether it runs. */
export const PRE_HOOK_EVENTS = ['pre-upload', 'pre-download', 'pre-delete', 'pre-rename'] as const;

export type PostHookEventName = (typeof POST_HOOK_EVENTS)[number];
export type PreHookEventName = (typeof PRE_HOOK_EVENTS)[number];
export type HookEventName = PostHookEventName | PreHookEventName;

/**
 * What a hook receives: the JSON on a command's stdin or in a URL's POST body, and (as
 * `FTPKIT_*` variables) a command's environment. Paths are data: passed as they are, never
 * through a shell.
 */
export interface HookEvent {
  event: HookEventName;
  /** The logged-in user (login-failed: the name tried). */
  user: string;
  /** The FTP path (rename: the source). */
  path?: string;
  /** rename: the FTP path of the target. */
  targetPath?: string;
  /** upload, download: bytes moved over the data connection. */
  size?: number;
  /** Post events: `ok`, or `failed` (also for an aborted or cut upload). */
  status?: 'ok' | 'failed';
  remoteAddress: string;
  /** The control connection's id (unique per server run). */
  session: number;
  /** When the event happened, ISO 8601. */
  time: string;
  /** upload, download: how long the transfer took. */
  durationMs?: number;
  /** Local storage: the file on disk (rename: the source). */
  localPath?: string;
  /** Local storage, rename: the target on disk. */
  targetLocalPath?: string;
  /** S3 storage: the bucket and the object key (rename: the source). */
  s3Bucket?: string;
  s3Key?: string;
  /** S3 storage, rename: the target key. */
  s3TargetKey?: string;
}

/** One `EVENTS=TARGET`: a command (absolute path) or an `http://`/`https://` URL. */
export interface HookSpec {
  events: readonly HookEventName[];
  target: string;
}

/** Options of {@link createHookRunner}. */
export interface HookRunnerOptions {
  hooks: readonly HookSpec[];
  /** Signs URL bodies: header `X-Ftpkit-Signature: sha256=<hex HMAC-SHA256 of the body>`. Default: unsigned. */
  secret?: string | undefined;
  /** Longest run of one command or one HTTP request (then killed / aborted). Default 10 000 ms. */
  timeoutMs?: number | undefined;
  /** Extra attempts for a post event to a URL that failed (timeout, network, non-2xx); commands run once. Default 3. */
  retries?: number | undefined;
  /** Wait before the first retry, doubled for each next one. Default 500 ms. */
  retryDelayMs?: number | undefined;
  /** Post runs waiting at most; beyond it new ones are dropped and counted. Default 1000. */
  queueSize?: number | undefined;
  /** Post runs at once. Default 4. */
  concurrency?: number | undefined;
  /** Pre-hook decisions waiting at once; beyond it the operation is refused as `unavailable`. Default 64. */
  maxPendingDecisions?: number | undefined;
  /** Default: silent. */
  logger?: Logger | undefined;
  /** The environment commands start from (FTPKIT_* are removed from it). Default: `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
}

/** Counters for /metrics. */
export interface HookStats {
  /** Post runs waiting now. */
  queued: number;
  /** Post runs running now. */
  running: number;
  succeeded: number;
  /** Post runs that failed (after their retries). */
  failed: number;
  /** Post runs dropped because the queue was full (or the runner closed). */
  dropped: number;
  /** Retries of URL post runs. */
  retried: number;
  /** Pre-hook decisions by verdict. */
  decisions: Record<AuthorizeVerdict, number>;
}

/** Runs hooks: post events queued and bounded, pre events awaited. */
export interface HookRunner {
  /** True when some hook listens to `event`. */
  has(event: HookEventName): boolean;
  /** Queue a post event for its hooks; returns at once (never throws, never waits). */
  emit(event: HookEvent): void;
  /** Run the pre event's hooks: `allow` only when every one allows. */
  decide(event: HookEvent): Promise<AuthorizeVerdict>;
  stats(): HookStats;
  /** Take no more events; wait (at most `waitMs`, default the run timeout) for queued and running runs. */
  close(waitMs?: number): Promise<void>;
}

/** A malformed `EVENTS=TARGET`. */
export class HookSpecError extends Error {
  override readonly name = 'HookSpecError';
}

const ALL_EVENTS = new Set<string>([...POST_HOOK_EVENTS, ...PRE_HOOK_EVENTS]);

function isUrl(target: string): boolean {
  return /^https?:\/\//i.test(target);
}

/** Parses `upload,delete=/usr/local/bin/x` or `pre-upload=https://host/path`. */
export function parseHookSpec(text: string): HookSpec {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new HookSpecError(`must be EVENTS=TARGET (got ${JSON.stringify(text)})`);
  const events = text
    .slice(0, eq)
    .split(',')
    .map((e) => e.trim());
  for (const e of events) {
    if (!ALL_EVENTS.has(e)) throw new HookSpecError(`unknown event ${JSON.stringify(e)} (known: ${[...ALL_EVENTS].join(', ')})`);
  }
  const target = text.slice(eq + 1).trim();
  checkTarget(target);
  return { events: [...new Set(events)] as HookEventName[], target };
}

function checkTarget(target: string): void {
  if (isUrl(target)) {
    try {
      new URL(target);
    } catch {
      throw new HookSpecError(`${JSON.stringify(target)} is not a valid URL`);
    }
    return;
  }
  if (!isAbsolute(target)) throw new HookSpecError(`target must be an absolute path or an http(s):// URL (got ${JSON.stringify(target)})`);
}

/** A target for logs: a URL without its user and password. */
function shown(target: string): string {
  if (!isUrl(target)) return target;
  const url = new URL(target);
  url.username = '';
  url.password = '';
  return url.toString();
}

/** The `FTPKIT_*` variables of an event (absent fields are left out). */
export function hookEnvironment(event: HookEvent): Record<string, string> {
  const env: Record<string, string> = {
    FTPKIT_EVENT: event.event,
    FTPKIT_USER: event.user,
    FTPKIT_REMOTE_ADDRESS: event.remoteAddress,
    FTPKIT_SESSION: String(event.session),
  };
  const optional: Array<[string, string | number | undefined]> = [
    ['FTPKIT_PATH', event.path],
    ['FTPKIT_TARGET_PATH', event.targetPath],
    ['FTPKIT_SIZE', event.size],
    ['FTPKIT_STATUS', event.status],
    ['FTPKIT_LOCAL_PATH', event.localPath],
    ['FTPKIT_TARGET_LOCAL_PATH', event.targetLocalPath],
    ['FTPKIT_S3_BUCKET', event.s3Bucket],
    ['FTPKIT_S3_KEY', event.s3Key],
    ['FTPKIT_S3_TARGET_KEY', event.s3TargetKey],
  ];
  for (const [name, value] of optional) if (value !== undefined) env[name] = String(value);
  return env;
}

/** How one run ended: `ok`, a refusal (`deny`: exit status or HTTP status), or no answer (`unavailable`). */
type RunResult = { verdict: AuthorizeVerdict; detail: string };

interface Job {
  event: HookEvent;
  body: string;
  target: string;
}

/**
 * Creates a {@link HookRunner}. A command is started with `child_process.spawn` (no shell, no
 * arguments), the event JSON on stdin; exit status 0 is success. A URL gets a POST of the JSON;
 * a 2xx is success. Pre hooks: success allows; a command's other exit status or a URL's 4xx
 * denies; a timeout, a failure to start or connect, a signal or a 5xx is `unavailable`.
 */
export function createHookRunner(options: HookRunnerOptions): HookRunner {
  for (const hook of options.hooks) {
    checkTarget(hook.target);
    for (const e of hook.events) if (!ALL_EVENTS.has(e)) throw new HookSpecError(`unknown event ${JSON.stringify(e)}`);
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const queueSize = options.queueSize ?? 1000;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const maxPending = options.maxPendingDecisions ?? 64;
  const log = options.logger ?? silentLogger;
  const baseEnv: NodeJS.ProcessEnv = {};
  // The server's own FTPKIT_* settings (FTPKIT_USER holds passwords) never reach a hook.
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (!k.startsWith('FTPKIT_')) baseEnv[k] = v;
  const byEvent = new Map<HookEventName, string[]>();
  for (const hook of options.hooks) {
    for (const e of hook.events) byEvent.set(e, [...(byEvent.get(e) ?? []), hook.target]);
  }
  const stats: HookStats = { queued: 0, running: 0, succeeded: 0, failed: 0, dropped: 0, retried: 0, decisions: { allow: 0, deny: 0, unavailable: 0 } };
  const queue: Job[] = [];
  let pendingDecisions = 0;
  let closed = false;
  let lastDropLog = 0;
  const idle = new Set<() => void>();
  const stop = new AbortController();

  function runCommand(target: string, event: HookEvent, body: string): Promise<RunResult> {
    return new Promise((resolve) => {
      let settled = false;
      let stderr = '';
      const finish = (result: RunResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const child = spawn(target, [], {
        stdio: ['pipe', 'ignore', 'pipe'],
        env: { ...baseEnv, ...hookEnvironment(event) },
        shell: false,
        windowsHide: true,
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish({ verdict: 'unavailable', detail: `timed out after ${timeoutMs} ms` });
      }, timeoutMs);
      child.on('error', (err) => finish({ verdict: 'unavailable', detail: `cannot run: ${(err as NodeJS.ErrnoException).code ?? err.message}` }));
      child.stderr?.setEncoding('utf8').on('data', (d: string) => {
        if (stderr.length < 2048) stderr += d.slice(0, 2048 - stderr.length);
      });
      // 'exit', not 'close': a background child of the hook may hold stderr open for long.
      child.on('exit', (code, signal) => {
        child.stderr?.destroy();
        if (code === 0) finish({ verdict: 'allow', detail: 'exit 0' });
        else if (code !== null) finish({ verdict: 'deny', detail: `exit ${code}${stderr === '' ? '' : `: ${stderr.trim()}`}` });
        else finish({ verdict: 'unavailable', detail: `killed by ${signal ?? 'a signal'}` });
      });
      // A hook that does not read stdin closes it early (EPIPE): that is its business.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(body);
    });
  }

  // node:http with kept-alive connections: a request per event costs less CPU than fetch().
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  function runUrl(target: string, event: HookEvent, body: string, fresh = false): Promise<RunResult> {
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-ftpkit-event': event.event,
    };
    if (options.secret !== undefined) headers['x-ftpkit-signature'] = `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: RunResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stop.signal.removeEventListener('abort', onStop);
        resolve(result);
      };
      const url = new URL(target);
      const https = url.protocol === 'https:';
      const req = (https ? httpsRequest : httpRequest)(url, { method: 'POST', headers, agent: https ? agents.https : agents.http }, (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        res.on('error', () => undefined);
        if (status >= 200 && status < 300) finish({ verdict: 'allow', detail: `HTTP ${status}` });
        else finish({ verdict: status >= 500 ? 'unavailable' : 'deny', detail: `HTTP ${status}` });
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish({ verdict: 'unavailable', detail: `timed out after ${timeoutMs} ms` });
      }, timeoutMs);
      const onStop = (): void => {
        req.destroy();
        finish({ verdict: 'unavailable', detail: 'runner closed' });
      };
      stop.signal.addEventListener('abort', onStop, { once: true });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive connection the receiver closed as it was reused: not an answer, try a new one once.
        if (!fresh && !settled && req.reusedSocket && err.code === 'ECONNRESET') {
          settled = true;
          clearTimeout(timer);
          stop.signal.removeEventListener('abort', onStop);
          resolve(runUrl(target, event, body, true));
          return;
        }
        finish({ verdict: 'unavailable', detail: err.code ?? err.message });
      });
      req.end(body);
    });
  }

  function runOnce(target: string, event: HookEvent, body: string): Promise<RunResult> {
    return isUrl(target) ? runUrl(target, event, body) : runCommand(target, event, body);
  }

  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        stop.signal.removeEventListener('abort', done);
        resolve();
      }
      stop.signal.addEventListener('abort', done, { once: true });
    });
  }

  async function runJob(job: Job): Promise<void> {
    const attempts = isUrl(job.target) ? retries + 1 : 1;
    let result: RunResult = { verdict: 'unavailable', detail: 'not run' };
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        stats.retried++;
        await wait(retryDelayMs * 2 ** (attempt - 1));
        if (stop.signal.aborted) break;
      }
      result = await runOnce(job.target, job.event, job.body);
      if (result.verdict === 'allow') break;
    }
    if (result.verdict === 'allow') {
      stats.succeeded++;
      return;
    }
    stats.failed++;
    log.warn({ hook: shown(job.target), event: job.event.event, path: job.event.path, result: result.detail }, 'hook failed');
  }

  let pumpScheduled = false;
  // Started on a later turn: emit() is called from inside the server's reply path, and starting a
  // process (fork/exec on the main thread) or a request there would hold back the reply itself.
  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump();
    });
  }

  function pump(): void {
    while (stats.running < concurrency && queue.length > 0) {
      const job = queue.shift() as Job;
      stats.queued = queue.length;
      stats.running++;
      void runJob(job).finally(() => {
        stats.running--;
        pump();
      });
    }
    if (queue.length === 0 && stats.running === 0) for (const resolve of idle) resolve();
  }

  return {
    has: (event) => byEvent.has(event),
    emit(event) {
      const targets = byEvent.get(event.event);
      if (targets === undefined) return;
      const body = JSON.stringify(event);
      for (const target of targets) {
        if (closed || queue.length >= queueSize) {
          stats.dropped++;
          const now = Date.now();
          if (now - lastDropLog >= 1000) {
            lastDropLog = now;
            log.warn({ hook: shown(target), event: event.event, dropped: stats.dropped, queueSize }, 'hook queue full: event dropped');
          }
          continue;
        }
        queue.push({ event, body, target });
      }
      stats.queued = queue.length;
      schedulePump();
    },
    async decide(event) {
      const targets = byEvent.get(event.event);
      if (targets === undefined) return 'allow';
      let verdict: AuthorizeVerdict;
      if (closed || pendingDecisions >= maxPending) {
        log.warn({ event: event.event, path: event.path, pending: pendingDecisions }, 'pre hook not run: too many decisions pending');
        verdict = 'unavailable';
      } else {
        pendingDecisions++;
        try {
          const body = JSON.stringify(event);
          const results = await Promise.all(targets.map((t) => runOnce(t, event, body).then((r) => ({ ...r, target: t }))));
          const worst = results.find((r) => r.verdict === 'deny') ?? results.find((r) => r.verdict === 'unavailable');
          verdict = worst?.verdict ?? 'allow';
          if (worst !== undefined) {
            const level = worst.verdict === 'deny' ? 'info' : 'warn';
            log[level]({ hook: shown(worst.target), event: event.event, user: event.user, path: event.path, result: worst.detail }, `pre hook: ${worst.verdict}`);
          }
        } finally {
          pendingDecisions--;
        }
      }
      stats.decisions[verdict]++;
      return verdict;
    },
    stats: () => ({ ...stats, decisions: { ...stats.decisions } }),
    async close(waitMs = timeoutMs) {
      closed = true;
      if (queue.length > 0 || stats.running > 0) {
        let done: () => void = () => undefined;
        const drained = new Promise<void>((resolve) => {
          done = resolve;
          idle.add(resolve);
        });
        const timer = setTimeout(done, waitMs);
        await drained;
        clearTimeout(timer);
        idle.delete(done);
      }
      stats.dropped += queue.length;
      queue.length = 0;
      stats.queued = 0;
      stop.abort();
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
