import type { Authorize, AuthorizeOperation } from './authorize.js';
import type { ConnectionInfo, FileOperationEvent, TransferEndEvent } from './events.js';
import type { FtpServer } from './ftp-server.js';
import type { HookEvent, HookRunner, PreHookEventName } from './hook-runner.js';
import type { FtpUser } from './options.js';

/** Where an FTP path of a user is stored, for the hook's `localPath` or `s3Bucket`/`s3Key`. */
export interface HookLocation {
  localPath?: string;
  s3Bucket?: string;
  s3Key?: string;
}

/** Maps a user's FTP path to its storage location; undefined when there is none to name (memory). */
export type HookLocator = (user: FtpUser, path: string) => HookLocation | undefined;

/** Options of {@link connectHooks} and {@link hookAuthorize}. */
export interface ServerHooksOptions {
  locate?: HookLocator | undefined;
  /** Default: `() => new Date()`. */
  now?: (() => Date) | undefined;
}

function located(options: ServerHooksOptions, user: FtpUser | undefined, path: string, targetPath?: string): Partial<HookEvent> {
  if (user === undefined || options.locate === undefined) return {};
  const from = options.locate(user, path) ?? {};
  const to = targetPath === undefined ? {} : (options.locate(user, targetPath) ?? {});
  const out: Partial<HookEvent> = {};
  if (from.localPath !== undefined) out.localPath = from.localPath;
  if (from.s3Bucket !== undefined) out.s3Bucket = from.s3Bucket;
  if (from.s3Key !== undefined) out.s3Key = from.s3Key;
  if (to.localPath !== undefined) out.targetLocalPath = to.localPath;
  if (to.s3Key !== undefined) out.s3TargetKey = to.s3Key;
  return out;
}

function base(event: HookEvent['event'], user: string, connection: ConnectionInfo, now: () => Date): HookEvent {
  return { event, user, remoteAddress: connection.remoteAddress, session: connection.id, time: now().toISOString() };
}

/**
 * Feeds `server`'s events to `runner` as post events: login, login-failed, upload and download
 * (one per finished transfer; `failed` when it did not complete, aborted included), delete,
 * rename, mkdir, rmdir (one per command that reached storage). Listings fire nothing. Returns a
 * function that detaches it. Nothing here waits for a hook.
 */
export function connectHooks(server: FtpServer, runner: HookRunner, options: ServerHooksOptions = {}): () => void {
  const now = options.now ?? ((): Date => new Date());
  const users = new Map<number, FtpUser>();
  const onLogin = ({ connection, user }: { connection: ConnectionInfo; user: FtpUser }): void => {
    users.set(connection.id, user);
    if (runner.has('login')) runner.emit({ ...base('login', user.name, connection, now), status: 'ok' });
  };
  const onLoginFailed = ({ connection, user }: { connection: ConnectionInfo; user: string }): void => {
    if (runner.has('login-failed')) runner.emit({ ...base('login-failed', user, connection, now), status: 'failed' });
  };
  const onTransferEnd = (e: TransferEndEvent): void => {
    if (e.direction === 'list' || !runner.has(e.direction)) return;
    const user = users.get(e.connection.id);
    runner.emit({
      ...base(e.direction, e.user ?? '', e.connection, now),
      path: e.path,
      size: e.bytes,
      status: e.ok ? 'ok' : 'failed',
      durationMs: e.durationMs,
      ...located(options, user, e.path),
    });
  };
  const onFileOperation = (e: FileOperationEvent): void => {
    // SITE CHMOD and MFMT have no hook event.
    if (e.operation !== 'delete' && e.operation !== 'rename' && e.operation !== 'mkdir' && e.operation !== 'rmdir') return;
    if (!runner.has(e.operation)) return;
    const user = users.get(e.connection.id);
    runner.emit({
      ...base(e.operation, e.user ?? '', e.connection, now),
      path: e.path,
      ...(e.to === undefined ? {} : { targetPath: e.to }),
      status: e.ok ? 'ok' : 'failed',
      ...located(options, user, e.path, e.to),
    });
  };
  const onEnd = ({ connection }: { connection: ConnectionInfo }): void => {
    users.delete(connection.id);
  };
  server.on('login', onLogin);
  server.on('login-failed', onLoginFailed);
  server.on('transfer-end', onTransferEnd);
  server.on('file-operation', onFileOperation);
  server.on('connection-end', onEnd);
  return () => {
    server.off('login', onLogin);
    server.off('login-failed', onLoginFailed);
    server.off('transfer-end', onTransferEnd);
    server.off('file-operation', onFileOperation);
    server.off('connection-end', onEnd);
  };
}

const PRE_EVENT: Record<AuthorizeOperation, PreHookEventName> = {
  upload: 'pre-upload',
  download: 'pre-download',
  delete: 'pre-delete',
  rename: 'pre-rename',
};

/** An `authorize` option asking `runner`'s pre hooks (`pre-upload` for uploads, ...). */
export function hookAuthorize(runner: HookRunner, options: ServerHooksOptions = {}): Authorize {
  const now = options.now ?? ((): Date => new Date());
  return async (request) => {
    const event = PRE_EVENT[request.operation];
    if (!runner.has(event)) return 'allow';
    return runner.decide({
      ...base(event, request.user.name, request.connection, now),
      path: request.path,
      ...(request.targetPath === undefined ? {} : { targetPath: request.targetPath }),
      ...located(options, request.user, request.path, request.targetPath),
    });
  };
}
