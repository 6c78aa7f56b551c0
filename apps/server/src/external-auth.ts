import { resolve } from 'node:path';
import { createHttpAuthenticator, LoginUnavailableError, type Authenticate, type FtpUser, type Logger } from '@ftpkit/server';
import type { ServerConfig } from './server-config.js';
import { isS3Url } from './server-config.js';
import { isInside } from './served-paths.js';

/**
 * `--auth-url`: a login whose name is not a `--user`/`--users` account (nor anonymous, when
 * enabled) is asked of the service. Its `root` is taken like a users file's: below `--root` on
 * local storage (a root outside it is a broken answer: 421, logged), a path in the volume on
 * memory, an `s3://bucket/prefix/` URL or a path below `--s3-prefix` on S3.
 */
export function withExternalAuth(
  config: ServerConfig,
  isLocal: (name: string) => boolean,
  local: Authenticate,
  memoryRoot: (root: string) => string | undefined,
  logger: Logger,
): Authenticate {
  const auth = config.auth;
  if (auth === undefined) return local;
  const remote = createHttpAuthenticator({ url: auth.url, cacheMs: auth.cacheMs, timeoutMs: auth.timeoutMs });
  const anonymousNames = new Set(config.anonymous ? ['anonymous', 'ftp'] : []);
  return async (name, password, connection) => {
    // Local accounts are decided locally: the service can neither take them over nor be asked for their passwords.
    if (isLocal(name) || anonymousNames.has(name.toLowerCase())) return local(name, password, connection);
    const user = (await remote(name, password, connection)) as (FtpUser & { root?: string }) | null | undefined;
    if (user === null || user === undefined) return user;
    if (user.root === undefined) return user;
    if (config.storage === 'local') {
      if (isS3Url(user.root)) throw unavailable(logger, name, `root ${user.root} needs --storage s3`);
      const dir = resolve(config.root, user.root);
      if (!isInside(config.root, dir)) throw unavailable(logger, name, `root ${user.root} is outside --root`);
      user.root = dir;
    } else if (config.storage === 'memory') {
      if (isS3Url(user.root)) throw unavailable(logger, name, `root ${user.root} needs --storage s3`);
      const root = memoryRoot(user.root);
      if (root === undefined) delete user.root;
      else user.root = root;
    }
    return user;
  };
}

function unavailable(logger: Logger, user: string, why: string): LoginUnavailableError {
  logger.error({ user }, `--auth-url answered an unusable user: ${why}`);
  return new LoginUnavailableError(`--auth-url: ${why}`);
}
