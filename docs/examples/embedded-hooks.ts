import { join } from 'node:path';
import { connectHooks, createFtpServer, createHookRunner, createHttpAuthenticator, hookAuthorize, type FtpServer, type HookRunner } from '@ftpkit/server';
import { localStorage } from '@ftpkit/storage-local';

/** The same hooks and external authentication in your own program, on @ftpkit/server. */
export async function startServerWithHooks(options: { root: string; authUrl: string; hookUrl: string; secret: string }): Promise<{ server: FtpServer; hooks: HookRunner }> {
  const hooks = createHookRunner({
    hooks: [{ events: ['upload', 'delete'], target: options.hookUrl }],
    secret: options.secret,
    queueSize: 1000,
  });
  // Where a user's FTP path is on disk, for the event's localPath.
  const locate = (_user: unknown, path: string) => ({ localPath: join(options.root, path) });
  const server = createFtpServer({
    storage: localStorage({ root: options.root }),
    authenticate: createHttpAuthenticator({ url: options.authUrl, cacheMs: 30_000 }),
    authorize: hookAuthorize(hooks, { locate }),
  });
  connectHooks(server, hooks, { locate });
  await server.listen(0, '127.0.0.1');
  return { server, hooks };
}
