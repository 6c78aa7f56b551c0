import type { Logger } from '@ftpkit/server';

/** What SIGHUP can reload; each is absent when the server runs without it. */
export interface Reloadable {
  /** Re-reads the TLS certificate and key; throws and keeps the old pair when they are bad. */
  tls: (() => void) | undefined;
  /** Re-reads the users files and returns how many users there are now; throws and keeps the old users when bad. */
  users: (() => number) | undefined;
}

/**
 * The SIGHUP action: reload what can be reloaded, keep what fails to reload, log one error line per
 * failure and then one line saying what was reloaded. It never throws, so the signal can never end
 * the program (logrotate and `systemctl reload` send it to a running service).
 */
export function createSighupReload(logger: Logger, reloadable: Reloadable): () => void {
  return () => {
    const reloaded: string[] = [];
    const said: string[] = [];
    let users: number | undefined;
    if (reloadable.tls !== undefined) {
      try {
        reloadable.tls();
        reloaded.push('tls');
        said.push('TLS certificate reloaded for new connections');
      } catch (err) {
        logger.error({ signal: 'SIGHUP', error: firstLine(err) }, 'SIGHUP: TLS certificate not reloaded, keeping the old one');
      }
    }
    if (reloadable.users !== undefined) {
      try {
        users = reloadable.users();
        reloaded.push('users');
        said.push(`users reloaded (${users}) for new logins`);
      } catch (err) {
        logger.error({ signal: 'SIGHUP', error: firstLine(err) }, 'SIGHUP: users file not reloaded, keeping the old users');
      }
    }
    const what = said.length > 0 ? said.join('; ') : reloadable.tls === undefined && reloadable.users === undefined ? 'nothing to reload (no TLS certificate, no users file)' : 'nothing reloaded';
    logger.info({ signal: 'SIGHUP', reloaded, ...(users === undefined ? {} : { users }) }, `SIGHUP: ${what}`);
  };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
