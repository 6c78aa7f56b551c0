import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { DataChannelError, encodeReply } from '@ftpkit/codec';
import { isLoginUnavailable, type Effect, type Outcome, type Output, type ServerSession, type StorageOp, type TransferSpec } from '@ftpkit/session';
import { lockKeyOf, StorageError, type FileStat, type StorageAdapter } from '@ftpkit/storage';
import { ControlConnection, normalizeAddress, TlsSessionCache } from '@ftpkit/transport';
import { CommandRate, countLines } from './command-rate.js';
import { DataChannel } from './data-channel.js';
import type { ConnectionInfo, FileOperation, FtpServerEvents, TransferDirection } from './events.js';
import type { Logger } from './logger.js';
import type { BanList } from './ban-list.js';
import type { PassivePortLedger } from './passive-port-ledger.js';
import type { Authenticate, FtpUser, Limits, StorageOption, FtpServerOptions } from './options.js';
import type { AuthorizeOperation } from './authorize.js';
import { TokenBucket } from './token-bucket.js';
import type { QuotaAccount } from './quota-ledger.js';
import { beginUpload, bookedStorageOp, type UploadBooking } from './quota-ops.js';
import { listingLines } from './listing.js';
import type { PathLockMode, PathLockRelease, PathLocks } from './path-locks.js';
import { hashFile, runTransfer, type ByteCounter } from './transfer.js';
import { UrgentAbortRepair } from './urgent-abort.js';
import { viewTransfer, type LiveSession, type TrackedTransfer } from './live-view.js';
import { ReadAhead } from './read-ahead.js';
import type { FailedUploads } from './failed-uploads.js';

/** What every connection shares: resolved options, the event sink, the session factory. */
export interface DriverContext {
  options: FtpServerOptions;
  limits: Limits;
  storage: StorageOption;
  authenticate: Authenticate;
  logger: Logger;
  now: () => Date;
  createSession: (implicitTls: boolean) => ServerSession;
  banList: BanList;
  /** Passive ports held per user and per address; `passive.ports` resolved to the range in use. */
  passivePorts: { ledger: PassivePortLedger; range: readonly [number, number] };
  /** The server's per-path locks (RETR/STOR/DELE/RNFR+RNTO of one file across sessions). */
  pathLocks: PathLocks;
  /** The shared bandwidth bucket of a user for a direction, if that user has a limit. */
  userBucket: (user: FtpUser, direction: 'download' | 'upload') => TokenBucket | undefined;
  /** The quota account a user's sessions share, if that user has a quota. */
  quotaAccount: (user: FtpUser, storage: StorageAdapter) => QuotaAccount | undefined;
  emit: <K extends keyof FtpServerEvents>(event: K, ...args: FtpServerEvents[K]) => void;
  /** Atomic uploads that failed, so that an APPE resuming one is refused (no partial was kept). */
  failedUploads: FailedUploads;
}

const LOGIN_TIMEOUT_REPLY = encodeReply(421, 'Login timeout, closing control connection.');
const DISCONNECTED_REPLY = encodeReply(421, 'Disconnected by the server administrator.');
const EVICTED_REPLY = encodeReply(421, 'Too many connections; closing this one, which never logged in.');
const BANNED_REPLY = encodeReply(421, 'Too many failed logins from your address; try again later.');
const SHUTDOWN_REPLY = encodeReply(421, 'Service not available, closing control connection (server shutting down).');

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * THE driver of one control connection (DESIGN.md "the one imperative loop"): socket bytes go to
 * `session.receive`, the Output's bytes are written in order, its effects run, and their outcomes
 * go back through `session.resolve`. Reading never stops during a transfer (ABOR/STAT/QUIT must
 * get in); it only waits for the output buffer to drain and for an AUTH TLS switch.
 */
export class ConnectionDriver {
  readonly info: ConnectionInfo;
  readonly #ctx: DriverContext;
  readonly #control: ControlConnection;
  readonly #session: ServerSession;
  readonly #data: DataChannel;
  readonly #log: Logger;
  /**
   * Aborted when the connection ends: cancels login delays and pending effects. Made on first use
   * (see {@link #lifeSignal}): most connections never wait on it, and an AbortSignal and its abort
   * event cost more than the rest of a connection's set-up.
   */
  #life: AbortController | undefined;
  readonly #started = Date.now();
  readonly #urgent = new UrgentAbortRepair();
  readonly #rate: CommandRate | undefined;
  #storage: StorageAdapter | undefined;
  #user: FtpUser | undefined;
  #quota: QuotaAccount | undefined;
  /** Per-session bandwidth buckets, made on first use. */
  readonly #buckets: { download?: TokenBucket; upload?: TokenBucket } = {};
  readonly #ip: string;
  #loginFailures = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #loginTimer: NodeJS.Timeout | undefined;
  #upgrade: Promise<void> | undefined;
  /** This connection's own TLS context: its session tickets resume only on its data connections. */
  #secureContext: SecureContext | undefined;
  /** Made with the first TLS handshake: a plain connection never needs one. */
  #sessionCache: TlsSessionCache | undefined;
  readonly #implicitTls: boolean;
  #closing = false;
  #ended = false;
  /** Settles when the running transfer effect has been resolved into the session. */
  #transfer: Promise<void> | undefined;
  /** Reports the running transfer as ended (once), for a teardown that stops waiting for it. */
  #endTransfer: ((error: Error) => void) | undefined;
  /** The running transfer, for operators' views. */
  #tracked: TrackedTransfer | undefined;
  /** The effect being performed (storage op name or effect kind), for operators' views. */
  #activity: string | undefined;
  /** The next RETR's file, read while its data connection is accepted. */
  #readAhead: ReadAhead | undefined;

  /** `peer`: the client a trusted PROXY header named, used instead of the socket's peer everywhere. */
  constructor(socket: Socket, id: number, ctx: DriverContext, implicitTls = false, peer?: { address: string; port: number }) {
    this.#ctx = ctx;
    this.#implicitTls = implicitTls;
    this.#control = new ControlConnection(socket, peer);
    this.info = {
      id,
      remoteAddress: this.#control.remoteAddress,
      remotePort: this.#control.remotePort,
      localAddress: this.#control.localAddress,
      localPort: this.#control.localPort,
      secure: this.#control.secure,
      ...(peer === undefined ? {} : { proxiedBy: normalizeAddress(socket.remoteAddress ?? '') }),
    };
    this.#ip = normalizeAddress(this.info.remoteAddress);
    this.#rate = ctx.limits.maxCommandsPerSecond > 0 ? new CommandRate(ctx.limits.maxCommandsPerSecond) : undefined;
    // The address in a field of its own (fail2ban, log pipelines), the port beside it.
    this.#log = ctx.logger.child({
      conn: id,
      ip: this.#ip,
      port: this.info.remotePort,
      ...(this.info.proxiedBy === undefined ? {} : { via: this.info.proxiedBy }),
    });
    this.#session = ctx.createSession(implicitTls);
    this.#data = new DataChannel({
      control: this.#control,
      passive: { ...ctx.options.passive, ports: ctx.passivePorts.range },
      active: ctx.options.active ?? {},
      dataTimeoutMs: ctx.limits.dataTimeoutMs,
      onHijackAttempt: (address, port, reason) =>
        this.#log.warn(
          { address, port, reason },
          reason === 'foreign-address'
            ? 'data connection from a foreign address dropped (anti-hijack)'
            : 'second data connection from the client address on one passive port: both dropped, transfer refused (anti-theft)',
        ),
      holdPassivePort: (since) => ctx.passivePorts.ledger.hold(this.#user?.name, this.#ip, since, Date.now()),
      tls: () => {
        const tls = ctx.options.tls;
        if (tls === undefined) return undefined;
        return {
          secureContext: this.#tlsContext(),
          sessionCache: this.#tlsSessionCache(),
          sessionReuse: tls.sessionReuse ?? 'prefer',
          timeoutMs: tls.handshakeTimeoutMs ?? 10_000,
        };
      },
    });
  }

  /** When the connection was accepted (ms since the epoch). */
  get startedAt(): number {
    return this.#started;
  }

  /** True once a login succeeded. */
  get loggedIn(): boolean {
    return this.#user !== undefined;
  }

  /** True once it is closing (evicted, timed out, quitting). */
  get evicting(): boolean {
    return this.#closing;
  }

  /** Close a connection that never logged in to make room for a new one. */
  evict(): void {
    this.#sayAndClose(EVICTED_REPLY);
  }

  /**
   * An operator ends the session: 421 (a running transfer is cut), then the connection closes,
   * at once if the client does not close its side within a second. False if it is already closing.
   */
  disconnect(): boolean {
    if (this.#ended || this.#closing) return false;
    this.#sayAndClose(DISCONNECTED_REPLY);
    this.#data.abort();
    setTimeout(() => this.#control.destroy(), 1_000).unref();
    return true;
  }

  /** What an operator sees of this connection now (see {@link LiveSession}). */
  snapshot(): LiveSession {
    const t = this.#tracked;
    if (t !== undefined && t.direction === 'download' && t.sizeAsked !== true && this.#storage !== undefined) {
      // Looked up only when someone looks, once per transfer; the next view shows it.
      t.sizeAsked = true;
      this.#storage.stat(t.path).then(
        (st) => {
          if (st !== null && st.type === 'file') t.size = st.size;
        },
        () => undefined,
      );
    }
    const user = this.#user?.name;
    return {
      id: this.info.id,
      remoteAddress: this.info.remoteAddress,
      remotePort: this.info.remotePort,
      ...(this.info.proxiedBy === undefined ? {} : { proxiedBy: this.info.proxiedBy }),
      secure: this.info.secure,
      ...(user === undefined ? {} : { user }),
      connectedAt: this.#started,
      cwd: this.#session.cwd,
      ...(this.#activity === undefined ? {} : { activity: this.#activity }),
      ...(t === undefined ? {} : { transfer: viewTransfer(t) }),
    };
  }

  #sayAndClose(reply: Uint8Array): void {
    if (this.#ended || this.#closing) return;
    this.#closing = true;
    this.#control.write([reply]);
    void this.#control.end();
  }

  /** True while a transfer effect is outstanding. */
  get transferring(): boolean {
    return this.#session.transferring;
  }

  /** Serve the connection until it closes. Never rejects. */
  async run(): Promise<void> {
    this.#ctx.emit('connection-start', this.info);
    this.#log.info({}, 'connection start');
    try {
      if (await this.#ctx.banList.isBanned(this.#ip)) {
        this.#log.warn({}, 'refused: address banned after failed logins');
        this.#ctx.emit('connection-refused', { remoteAddress: this.#ip, reason: 'banned' });
        this.#closing = true;
        this.#control.write([BANNED_REPLY]);
        await this.#control.end();
        return;
      }
      if (this.#implicitTls) {
        await this.#control.upgradeToTls({
          secureContext: this.#tlsContext(),
          sessionCache: this.#tlsSessionCache(),
          discardPlaintext: false,
          timeoutMs: this.#ctx.options.tls?.handshakeTimeoutMs ?? 10_000,
        });
        this.info.secure = true;
      }
      this.#apply(this.#session.start());
      this.#armIdle();
      this.#loginTimer = setTimeout(() => {
        if (this.#user === undefined) {
          this.#log.info({}, 'login timeout');
          this.#sayAndClose(LOGIN_TIMEOUT_REPLY);
        }
      }, this.#ctx.limits.loginTimeoutMs);
      for (;;) {
        const chunk = await this.#control.read();
        if (chunk === null) break;
        if (this.#closing) continue;
        const wait = this.#rate?.delayFor(countLines(chunk)) ?? 0;
        if (wait > 0) await sleep(wait, this.#lifeSignal);
        this.#armIdle();
        this.#apply(this.#session.receive(this.#urgent.push(chunk)));
        if (this.#upgrade !== undefined) await this.#upgrade;
        await this.#control.drained();
      }
    } catch (err) {
      this.#fail(err);
    } finally {
      await this.#teardown();
    }
  }

  /**
   * Graceful close: let a running transfer finish (until `deadline` settles), then 421 and close.
   */
  async shutdown(deadline: Promise<void>): Promise<void> {
    if (this.#ended) return;
    if (this.#transfer !== undefined) await Promise.race([this.#transfer, deadline]);
    if (this.#ended) return;
    this.#closing = true;
    this.#control.write([SHUTDOWN_REPLY]);
    await this.#control.end();
  }

  /** Close at once. */
  destroy(): void {
    this.#control.destroy();
  }

  /** The connection's life as a signal (see {@link #life}); already aborted once it ended. */
  get #lifeSignal(): AbortSignal {
    if (this.#life === undefined) {
      this.#life = new AbortController();
      if (this.#ended) this.#life.abort();
    }
    return this.#life.signal;
  }

  #tlsSessionCache(): TlsSessionCache {
    this.#sessionCache ??= new TlsSessionCache();
    return this.#sessionCache;
  }

  #armIdle(): void {
    if (this.#ended) {
      clearTimeout(this.#idleTimer);
      return;
    }
    // Re-armed on every command: moving the one timer is cheaper than a new one each time.
    if (this.#idleTimer !== undefined) {
      this.#idleTimer.refresh();
      return;
    }
    this.#idleTimer = setTimeout(() => {
      if (this.#ended || this.#closing) return;
      // The idle clock does not run during a transfer (RFC 959 leaves this to the server).
      if (this.#session.transferring) {
        this.#armIdle();
        return;
      }
      this.#log.info({}, 'idle timeout');
      this.#apply(this.#session.idleTimeout());
    }, this.#ctx.limits.idleTimeoutMs);
  }

  /** `logged`: the refusals in `out` already have their own log line (a file operation's, a transfer's). */
  #apply(out: Output, logged = false): void {
    if (this.#ended) return;
    if (out.write.length > 0) {
      this.#control.write(out.write);
      out.write.forEach((r, i) => {
        const code = replyCode(r);
        this.#ctx.emit('reply', { connection: this.info, code });
        const origin = out.origins[i];
        if (origin === undefined || code < 400) return;
        const user = this.#user?.name;
        this.#ctx.emit('command-refused', { connection: this.info, user, ...origin, code });
        // PASS has its 'login failed' line.
        if (logged || origin.verb === 'PASS') return;
        const level = AUDITED_REFUSALS.has(code) ? 'warn' : 'debug';
        this.#log[level]({ user, verb: origin.verb, path: origin.path, arg: origin.path === undefined ? origin.arg : undefined, code }, 'command refused');
      });
    }
    for (const effect of out.effects) this.#start(effect);
    if (out.close && !this.#closing) {
      this.#closing = true;
      void this.#control.end();
    }
  }

  #resolve(id: number, outcome: Outcome, effect?: Effect): void {
    if (this.#ended) return;
    try {
      const out = this.#session.resolve(id, outcome);
      // A RETR refused after its stat (a directory, REST past the end) reads nothing more.
      if (effect?.kind === 'storage' && effect.call.op === 'stat' && effect.call.readFrom !== undefined && !out.effects.some((e) => e.kind === 'open-data')) {
        this.#dropReadAhead();
      }
      const op = effect?.kind === 'storage' ? fileOperationOf(effect.call) : undefined;
      this.#apply(out, op !== undefined || effect?.kind === 'transfer');
      if (op !== undefined) this.#fileOperation(op, outcome, out.write[0]);
    } catch (err) {
      this.#fail(err);
      this.#control.destroy();
    }
  }

  /** One audit line and event per storage change, with the reply the client got. */
  #fileOperation(op: { operation: FileOperation; path: string; to?: string }, outcome: Outcome, reply: Uint8Array | undefined): void {
    const user = this.#user?.name;
    const code = reply === undefined ? 0 : replyCode(reply);
    const event = { connection: this.info, user, ...op, ok: outcome.ok, code, ...(outcome.ok ? {} : { error: outcome.error }) };
    if (outcome.ok) this.#log.info({ user, ...op, code }, op.operation);
    else this.#log.warn({ user, ...op, code, error: String(outcome.error) }, `${op.operation} refused`);
    this.#ctx.emit('file-operation', event);
  }

  #fail(err: unknown): void {
    this.#log.error({ err }, 'connection failed');
    this.#ctx.emit('error', asError(err));
  }

  #start(effect: Effect): void {
    switch (effect.kind) {
      case 'abort-transfer':
        this.#dropReadAhead();
        this.#data.abort();
        return;
      case 'close-data':
        this.#dropReadAhead();
        this.#data.close();
        return;
      case 'tls-upgrade': {
        const upgrade = this.#upgradeTls().then(
          (outcome) => this.#resolve(effect.id, outcome),
          (error: unknown) => this.#resolve(effect.id, { ok: false, error }),
        );
        this.#upgrade = upgrade.finally(() => {
          this.#upgrade = undefined;
        });
        return;
      }
      case 'transfer': {
        const done = this.#runTransfer(effect).then((outcome) => this.#resolve(effect.id, outcome, effect));
        this.#transfer = done;
        void done.finally(() => {
          if (this.#transfer === done) this.#transfer = undefined;
          this.#armIdle();
        });
        return;
      }
      default: {
        const activity = effect.kind === 'storage' ? effect.call.op : effect.kind;
        this.#activity = activity;
        const done = (): void => {
          if (this.#activity === activity) this.#activity = undefined;
        };
        this.#perform(effect).then(
          (outcome) => {
            done();
            this.#resolve(effect.id, outcome, effect);
          },
          (error: unknown) => {
            done();
            this.#resolve(effect.id, { ok: false, error }, effect);
          },
        );
      }
    }
  }

  async #perform(effect: Exclude<Effect, { kind: 'abort-transfer' | 'close-data' | 'tls-upgrade' | 'transfer' }>): Promise<Outcome> {
    switch (effect.kind) {
      case 'authenticate':
        return this.#authenticate(effect.user, effect.password);
      case 'storage':
        return this.#storageOp(effect.call);
      case 'passive': {
        try {
          const { host, port } = await this.#data.preparePassive(effect.extended);
          return { ok: true, host, port };
        } catch (err) {
          if (err instanceof DataChannelError && err.code === 'refused') {
            this.#log.warn({ user: this.#user?.name, reason: err.message }, 'PASV/EPSV refused (425): no passive port for this session');
          }
          throw err;
        }
      }
      case 'active':
        this.#data.prepareActive(effect.host, effect.port);
        return { ok: true };
      case 'open-data':
        if (effect.spec !== undefined) {
          this.#refuseResumeOfDiscarded(effect.spec);
          // Before the read-ahead: a download that authorize refuses reads nothing.
          if (effect.spec.type !== 'list') await this.#authorizeOrClose(effect.spec.type === 'stor' ? 'upload' : 'download', effect.spec.path);
        }
        this.#startReadAhead(effect.spec);
        try {
          // A throttled upload reads no further ahead than its throttle (see transfer.ts).
          await this.#data.open(effect.secure, effect.spec?.type === 'stor' && this.#bucketsFor('upload').length === 0);
        } catch (err) {
          this.#dropReadAhead();
          throw err;
        }
        return { ok: true };
      case 'hash': {
        const range: { start?: number; end?: number } = {};
        if (effect.start !== undefined) range.start = effect.start;
        if (effect.end !== undefined) range.end = effect.end;
        const storage = this.#requireStorage();
        const digest = await this.#locked(storage, [effect.path], 'read', () =>
          hashFile(storage, effect.path, effect.algorithm, range, this.#lifeSignal),
        );
        return { ok: true, digest };
      }
      case 'list-control': {
        const lines = await listingLines(
          this.#requireStorage(),
          effect.path,
          effect.single,
          this.#ctx.now(),
          this.#ctx.limits.maxControlListingLines,
        );
        return { ok: true, lines };
      }
    }
  }

  /**
   * An APPE (curl `-C -`, a client's retry: SIZE, then APPE of the rest) of a file whose atomic
   * overwrite failed would splice the rest of the new file onto the old one: no partial was kept.
   */
  #refuseResumeOfDiscarded(spec: TransferSpec): void {
    if (spec.type !== 'stor' || spec.uploadMode !== 'atomic' || !spec.append) return;
    if (this.#ctx.failedUploads.failed(this.#user?.name ?? '', spec.path, Date.now())) {
      this.#data.close();
      throw new StorageError('ERANGE', `APPE after a failed atomic upload of ${spec.path}`);
    }
  }

  /**
   * RETR's stat: where nothing must be decided before the file is touched (no `authorize`), the
   * read-ahead starts here and the facts come from the file it opened (one open instead of a stat
   * and then an open, on storage with `openRead`).
   */
  async #statForRead(storage: StorageAdapter, path: string, offset: number): Promise<FileStat> {
    this.#dropReadAhead();
    if (this.#ctx.options.authorize !== undefined) return storage.stat(path);
    const ahead = new ReadAhead(storage, path, offset, (signal) => this.#lock(storage, [path], 'read', signal));
    this.#readAhead = ahead;
    try {
      return await ahead.facts(storage);
    } catch (err) {
      ahead.drop();
      if (this.#readAhead === ahead) this.#readAhead = undefined;
      throw err;
    }
  }

  #startReadAhead(spec: TransferSpec | undefined): void {
    const ahead = this.#readAhead;
    // Started by this RETR's stat.
    if (spec?.type === 'retr' && ahead !== undefined && ahead.path === spec.path && ahead.offset === spec.offset) return;
    this.#dropReadAhead();
    if (spec?.type !== 'retr' || this.#storage === undefined) return;
    const storage = this.#storage;
    this.#readAhead = new ReadAhead(storage, spec.path, spec.offset, (signal) => this.#lock(storage, [spec.path], 'read', signal));
  }

  #dropReadAhead(): void {
    this.#readAhead?.drop();
    this.#readAhead = undefined;
  }

  /** The read-ahead of this RETR, if one was started for it. */
  #takeReadAhead(spec: TransferSpec): ReadAhead | undefined {
    const ahead = this.#readAhead;
    this.#readAhead = undefined;
    if (ahead !== undefined && spec.type === 'retr' && ahead.path === spec.path && ahead.offset === spec.offset) return ahead;
    ahead?.drop();
    return undefined;
  }

  /** `authorize` before a transfer's 150: a refusal also drops the prepared data connection. */
  async #authorizeOrClose(operation: AuthorizeOperation, path: string): Promise<void> {
    try {
      await this.#authorize(operation, path);
    } catch (err) {
      this.#data.close();
      throw err;
    }
  }

  /** Asks `options.authorize`; throws the StorageError whose reply refuses the operation. */
  async #authorize(operation: AuthorizeOperation, path: string, targetPath?: string): Promise<void> {
    const authorize = this.#ctx.options.authorize;
    if (authorize === undefined || this.#user === undefined) return;
    let verdict;
    try {
      verdict = await authorize({ operation, connection: this.info, user: this.#user, path, ...(targetPath === undefined ? {} : { targetPath }) });
    } catch (err) {
      this.#fail(err);
      verdict = 'unavailable';
    }
    if (verdict === 'allow') return;
    this.#log.info({ user: this.#user.name, operation, path, targetPath, verdict }, 'operation refused by authorize');
    if (verdict === 'deny') throw new StorageError(operation === 'upload' || operation === 'rename' ? 'EINVAL' : 'EACCES', `${operation} refused by authorize`);
    // Fail closed with a transient reply: the decision could not be made.
    throw new StorageError('EAGAIN', `${operation}: authorize could not decide`);
  }

  #requireStorage(): StorageAdapter {
    if (this.#storage === undefined) throw new StorageError('EACCES', 'not logged in');
    return this.#storage;
  }

  async #authenticate(user: string, password: string): Promise<Outcome> {
    let accepted: FtpUser | null | undefined;
    const { banList } = this.#ctx;
    // An attempt refused by beginAttempt was never counted, so it records nothing.
    let record = banList.beginAttempt === undefined;
    try {
      // Counted before the check, so a burst of guesses is cut at the limit; a banned address cannot
      // log in even with the right password (no guessing through the ban).
      if (banList.beginAttempt !== undefined) record = await banList.beginAttempt(this.#ip);
      const allowed = banList.beginAttempt === undefined ? !(await banList.isBanned(this.#ip)) : record;
      accepted = allowed ? await this.#ctx.authenticate(user, password, this.info) : null;
      if (accepted) {
        const { storage } = this.#ctx;
        this.#storage = typeof storage === 'function' ? await storage(accepted, this.info) : storage;
        this.#quota = this.#ctx.quotaAccount(accepted, this.#storage);
        // Measured once per user, from the first login on, without holding up this one.
        this.#quota?.ready().catch((err: unknown) => this.#log.warn({ err }, 'quota usage could not be measured'));
      }
    } catch (err) {
      if (isLoginUnavailable(err)) {
        // Neither a success nor a wrong password: not counted, not delayed, answered 421 (fail closed).
        this.#log.warn({ user, err }, 'login could not be checked (authenticate unavailable)');
        try {
          if (record) await (banList.cancelAttempt === undefined ? banList.recordSuccess(this.#ip) : banList.cancelAttempt(this.#ip));
        } catch (banErr) {
          this.#fail(banErr);
        }
        return { ok: false, error: err };
      }
      this.#fail(err);
      accepted = null;
    }
    if (accepted) {
      this.#user = accepted;
      this.#loginFailures = 0;
      clearTimeout(this.#loginTimer);
      await this.#recordLogin(true);
      this.#log.info({ user: accepted.name }, 'login');
      this.#ctx.emit('login', { connection: this.info, user: accepted });
      return { ok: true, user: accepted };
    }
    this.#loginFailures++;
    if (record) await this.#recordLogin(false);
    this.#log.warn({ user, failures: this.#loginFailures }, 'login failed');
    this.#ctx.emit('login-failed', { connection: this.info, user, failures: this.#loginFailures });
    // Same delay for an unknown user and a wrong password; it grows to slow down guessing.
    await sleep(this.#ctx.limits.loginFailureDelayMs * Math.min(this.#loginFailures, 10), this.#lifeSignal);
    return { ok: true };
  }

  async #recordLogin(ok: boolean): Promise<void> {
    try {
      if (ok) await this.#ctx.banList.recordSuccess(this.#ip);
      else await this.#ctx.banList.recordFailure(this.#ip);
    } catch (err) {
      this.#fail(err);
    }
  }

  #bucketsFor(direction: 'download' | 'upload'): TokenBucket[] {
    const buckets: TokenBucket[] = [];
    const rate = direction === 'download' ? this.#ctx.limits.downloadBytesPerSecond : this.#ctx.limits.uploadBytesPerSecond;
    if (rate > 0) {
      this.#buckets[direction] ??= new TokenBucket(rate);
      buckets.push(this.#buckets[direction]);
    }
    const shared = this.#user === undefined ? undefined : this.#ctx.userBucket(this.#user, direction);
    if (shared !== undefined) buckets.push(shared);
    return buckets;
  }

  async #storageOp(call: StorageOp): Promise<Outcome> {
    if (call.op === 'delete') await this.#authorize('delete', call.path);
    else if (call.op === 'rename') await this.#authorize('rename', call.from, call.to);
    const storage = this.#requireStorage();
    if (this.#quota === undefined) return this.#plainStorageOp(storage, call);
    return bookedStorageOp(this.#quota, storage, call, () => this.#plainStorageOp(storage, call));
  }

  async #plainStorageOp(storage: StorageAdapter, call: StorageOp): Promise<Outcome> {
    switch (call.op) {
      case 'stat':
        return { ok: true, stat: call.readFrom === undefined ? await storage.stat(call.path) : await this.#statForRead(storage, call.path, call.readFrom) };
      case 'mkdir':
        await storage.mkdir(call.path);
        return { ok: true };
      case 'rmdir':
        await storage.rmdir(call.path);
        return { ok: true };
      case 'delete':
        await this.#locked(storage, [call.path], 'change', () => storage.delete(call.path));
        return { ok: true };
      case 'rename':
        await this.#locked(storage, [call.from, call.to], 'change', () => storage.rename(call.from, call.to));
        return { ok: true };
      case 'setMtime':
        if (storage.setMtime === undefined) throw new StorageError('ENOTSUP', 'setMtime');
        await storage.setMtime(call.path, call.mtime);
        return { ok: true };
      case 'chmod':
        if (storage.chmod === undefined) throw new StorageError('ENOTSUP', 'chmod');
        await storage.chmod(call.path, call.mode);
        return { ok: true };
    }
  }

  /**
   * Wait (at most `limits.pathLockWaitMs`) for `paths` of `storage`; `EBUSY` when they stay in use.
   * Readers do not wait: RETR's 150 already announced the size it saw, and after a wait the file
   * would be another one; they get 450 at once and retry.
   */
  #lock(storage: StorageAdapter, paths: readonly string[], mode: PathLockMode, signal: AbortSignal): Promise<PathLockRelease> {
    const keys = paths.map((path) => lockKeyOf(storage, path));
    const waitMs = mode === 'read' ? 0 : this.#ctx.limits.pathLockWaitMs;
    return this.#ctx.pathLocks.acquire(keys, mode, { waitMs, signal });
  }

  /** `run` while holding `paths` (see {@link #lock}); the connection's end stops the wait. */
  async #locked<T>(storage: StorageAdapter, paths: readonly string[], mode: PathLockMode, run: () => Promise<T>): Promise<T> {
    const release = await this.#lock(storage, paths, mode, this.#lifeSignal);
    try {
      return await run();
    } finally {
      release();
    }
  }

  #tlsContext(): SecureContext {
    const tls = this.#ctx.options.tls;
    if (tls === undefined) throw new Error('TLS not configured');
    this.#secureContext ??= createSecureContext(typeof tls.context === 'function' ? tls.context() : tls.context);
    return this.#secureContext;
  }

  async #upgradeTls(): Promise<Outcome> {
    const tls = this.#ctx.options.tls;
    if (tls === undefined) return { ok: false, error: new Error('TLS not configured') };
    await this.#control.upgradeToTls({ secureContext: this.#tlsContext(), sessionCache: this.#tlsSessionCache(), timeoutMs: tls.handshakeTimeoutMs ?? 10_000 });
    this.info.secure = true;
    return { ok: true };
  }

  async #runTransfer(effect: Extract<Effect, { kind: 'transfer' }>): Promise<Outcome> {
    const { spec } = effect;
    const direction: TransferDirection = spec.type === 'retr' ? 'download' : spec.type === 'stor' ? 'upload' : 'list';
    const base = { connection: this.info, user: this.#user?.name, direction, path: spec.path };
    const counter: ByteCounter = { bytes: 0 };
    const started = Date.now();
    let signal: AbortSignal | undefined;
    let booking: UploadBooking | undefined;
    this.#ctx.emit('transfer-start', base);
    const tracked: TrackedTransfer = { direction, path: spec.path, counter, startedAt: started };
    this.#tracked = tracked;
    // Exactly one 'transfer-end' per transfer, even when teardown cannot wait for it to stop.
    let reported = false;
    const emitEnd = (result: Outcome): void => {
      if (reported) return;
      reported = true;
      if (this.#tracked === tracked) this.#tracked = undefined;
      if (this.#endTransfer === giveUp) this.#endTransfer = undefined;
      const end = {
        ...base,
        bytes: counter.bytes,
        durationMs: Date.now() - started,
        ok: result.ok,
        aborted: !result.ok && result.aborted === true,
        ...(result.ok ? {} : { error: result.error }),
      };
      this.#log.info({ ...end, connection: undefined, error: result.ok ? undefined : String(result.error) }, 'transfer end');
      this.#ctx.emit('transfer-end', end);
    };
    const giveUp = (error: Error): void => emitEnd({ ok: false, error, aborted: true });
    this.#endTransfer = giveUp;
    let outcome: Outcome;
    const atomicUpload = spec.type === 'stor' && spec.uploadMode === 'atomic';
    const who = this.#user?.name ?? '';
    let release: PathLockRelease | undefined;
    let ahead = this.#takeReadAhead(spec);
    let source: AsyncIterable<Uint8Array> | undefined;
    try {
      const taken = await this.#data.takeForTransfer();
      signal = taken.signal;
      if (ahead !== undefined) {
        const read = ahead.take(taken.signal);
        ahead = undefined;
        ({ source, release } = await read);
      } else if (spec.type !== 'list') {
        // Readers and writers of one file take turns (after the 150: the wait is part of the transfer).
        const mode: PathLockMode = spec.type === 'retr' ? 'read' : spec.uploadMode === 'atomic' ? 'change' : 'write';
        release = await this.#lock(this.#requireStorage(), [spec.path], mode, taken.signal);
      }
      if (spec.type === 'stor' && this.#quota !== undefined) booking = await beginUpload(this.#quota, this.#requireStorage(), spec);
      const bytes = await runTransfer(spec, {
        ...(booking === undefined ? {} : { quota: booking }),
        storage: this.#requireStorage(),
        socket: taken.socket,
        signal: taken.signal,
        ...(taken.receiver === undefined ? {} : { receiver: taken.receiver }),
        user: this.#user,
        now: this.#ctx.now(),
        counter,
        buckets: direction === 'list' ? [] : this.#bucketsFor(direction),
        ...(source === undefined ? {} : { source }),
      });
      outcome = { ok: true, bytes };
    } catch (error) {
      // `aborted` is decided by what asked for the stop, not by which failure arrived first: a
      // client's ABOR (or the session's end) and its reset data connection travel on two sockets,
      // so a failure that is not the storage's waits for the ABOR behind it (see settleAbort).
      if (signal !== undefined && !signal.aborted && !(error instanceof StorageError)) await settleAbort(signal);
      const aborted = signal?.aborted === true;
      outcome = aborted ? { ok: false, error, aborted: true } : { ok: false, error };
    } finally {
      ahead?.drop();
      this.#data.finish();
    }
    // The file's size is read for the quota before another writer may change it.
    try {
      await booking?.settle();
    } finally {
      release?.();
    }
    if (atomicUpload) {
      if (outcome.ok) this.#ctx.failedUploads.forget(who, spec.path);
      // Only an upload that got bytes leaves something a client would try to resume.
      else if (counter.bytes > 0) this.#ctx.failedUploads.record(who, spec.path, Date.now());
    }
    emitEnd(outcome);
    return outcome;
  }

  async #teardown(): Promise<void> {
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#loginTimer);
    const out = this.#ended ? undefined : this.#session.end();
    this.#ended = true;
    this.#dropReadAhead();
    this.#life?.abort();
    for (const effect of out?.effects ?? []) {
      if (effect.kind === 'abort-transfer' || effect.kind === 'close-data') this.#start(effect);
    }
    this.#data.close();
    // Let a transfer notice its abort so 'transfer-end' is emitted before 'connection-end'.
    if (this.#transfer !== undefined) {
      const stop = new AbortController();
      await Promise.race([this.#transfer, sleep(5_000, stop.signal)]);
      stop.abort();
      this.#endTransfer?.(new Error('the transfer did not stop within 5 s of the connection ending'));
    }
    this.#control.destroy();
    this.#log.info({ user: this.#user?.name }, 'connection end');
    this.#ctx.emit('connection-end', { connection: this.info, user: this.#user?.name, durationMs: Date.now() - this.#started });
  }
}

/**
 * How long a transfer's data-connection failure waits for an ABOR or session end still in flight
 * on the control connection. Two event-loop turns cover an idle machine; under load the control
 * bytes have been seen milliseconds behind the data connection's reset (as for the atomic commit
 * grace in transfer.ts). Only failed transfers pay it, and an ABOR ends the wait at once.
 */
const ABORT_RACE_GRACE_MS = 25;

/** Two event-loop turns (each with a poll for I/O), then up to the grace unless `signal` aborts. */
async function settleAbort(signal: AbortSignal): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  await sleep(ABORT_RACE_GRACE_MS, signal);
}

/** Refusals an operator audits (permission, login, name, space), logged at `warn`; other 4xx/5xx at `debug`. */
const AUDITED_REFUSALS = new Set([450, 452, 530, 532, 534, 550, 552, 553]);

/** A reply's code: its first three bytes (RFC 959 §4.2). */
function replyCode(r: Uint8Array): number {
  return (r[0]! - 48) * 100 + (r[1]! - 48) * 10 + (r[2]! - 48);
}

/** The file operation a storage call is, if it changes storage. */
function fileOperationOf(call: StorageOp): { operation: FileOperation; path: string; to?: string } | undefined {
  switch (call.op) {
    case 'stat':
      return undefined;
    case 'rename':
      return { operation: 'rename', path: call.from, to: call.to };
    case 'setMtime':
      return { operation: 'set-mtime', path: call.path };
    default:
      return { operation: call.op, path: call.path };
  }
}
