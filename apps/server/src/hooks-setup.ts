import { connectHooks, createHookRunner, hookAuthorize, PRE_HOOK_EVENTS, type Authorize, type FtpServer, type HookLocator, type HookRunner, type Logger } from '@ftpkit/server';
import type { ServerConfig } from './server-config.js';

export type { HookLocator };

/** The program's `--hook` runner and how it plugs into the server. */
export interface RunningHooks {
  runner: HookRunner;
  /** Set when some pre-* hook is configured. */
  authorize: Authorize | undefined;
  /** Feed the server's events to the runner. */
  connect(server: FtpServer): void;
  /** Stop taking events; wait at most `waitMs` for queued ones. */
  close(waitMs: number): Promise<void>;
}

/** Builds the runner for `config.hooks`; undefined without hooks. */
export function startHooks(config: ServerConfig, locate: HookLocator, logger: Logger): RunningHooks | undefined {
  if (config.hooks.hooks.length === 0) return undefined;
  const { hooks, secret, timeoutMs, queueSize } = config.hooks;
  const runner = createHookRunner({ hooks, secret, timeoutMs, queueSize, logger: logger.child({ part: 'hooks' }) });
  const pre = PRE_HOOK_EVENTS.some((e) => runner.has(e));
  let detach: (() => void) | undefined;
  return {
    runner,
    authorize: pre ? hookAuthorize(runner, { locate }) : undefined,
    connect(server) {
      detach = connectHooks(server, runner, { locate });
    },
    async close(waitMs) {
      detach?.();
      await runner.close(waitMs);
    },
  };
}
