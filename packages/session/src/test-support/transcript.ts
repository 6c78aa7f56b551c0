/**
 * Session transcripts: FTP conversations written as short scripts and checked against a real
 * `ServerSession` with no sockets. The driver's part (running effects) is played by the script.
 *
 * One directive per line; blank lines and lines starting with '#' are ignored.
 *
 *   C: USER bob              the client sends "USER bob\r\n" (one receive() call)
 *   C> "A\r\nB\r\n"          the client sends a JSON string literal's UTF-8 bytes, unchanged
 *   C# ff f4 ff f2           the client sends these bytes (hex)
 *   S: 331                   the next reply has code 331
 *   S: 331 Password          ... and its first line starts with "Password"
 *   S~ EPRT                  the last matched reply (lines joined with '\n') contains "EPRT"
 *   S! AUTH TLS              ... and does not contain "AUTH TLS"
 *   E: storage op=stat path=/a.txt => file 3
 *                            the next effect has kind `storage` and these fields (looked up on the
 *                            effect, then on its `call`/`spec`; values compared as strings, dates as ISO strings, JSON
 *                            quotes allowed: path="/a b"); "=> outcome" resolves it at once
 *   E: transfer type=retr    matched but left running (resolved later with R:)
 *   R: transfer => aborted   resolve the running effect of that kind
 *   END                      session.end()
 *   IDLE                     session.idleTimeout()
 *   CLOSED / OPEN            the session has / has not asked to close the connection
 *   --                       nothing unmatched is left (replies or effects)
 *   @login [ro] [deny=DELE,RMD]   USER bob, PASS secret, authenticate, 331, 230
 *   @pasv                    PASV, passive effect => ok host=127.0.0.1 port=50000, 227
 *
 * Outcomes after "=>":
 *   ok [user=NAME] [ro] [deny=A,B] [host=H] [port=N] [bytes=N] [digest=HEX] [lines=a|b]
 *   file SIZE [mode=644] [unique=X] | dir | symlink      an ok stat (mtime 2024-01-02 03:04:05 UTC)
 *   ENOENT (any StorageError code)  | dc:reset (any DataChannelError code)
 *   aborted                         (stopped by abort-transfer)
 *   fail                            (an unknown Error whose message must never reach the client)
 *   unavailable                     (a LoginUnavailableError: authenticate could not decide)
 *   too-many-sessions               (a LoginUnavailableError with that reason)
 *
 * After the script every reply and every effect must have been matched.
 */
import { DataChannelError, ReplyDecoder, type Reply } from '@ftpkit/codec';
import { StorageError, type StorageErrorCode } from '@ftpkit/storage';
import { createServerSession, type ServerSessionDiagnostics } from '../server-session.js';
import { LoginUnavailableError } from '../login-unavailable-error.js';
import type { Effect, Outcome, Output, ServerSession, SessionConfig } from '../session-io.js';

/** The fixed mtime of stats made by outcomes. */
export const TRANSCRIPT_MTIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

/** The text an unknown error carries; tests assert it never reaches the client. */
export const SECRET_ERROR_TEXT = 'internal detail /srv/secret ECONNRESET';

export interface TranscriptOptions {
  config?: Partial<SessionConfig>;
  /** Consume the 220 greeting automatically (default true). */
  greet?: boolean;
}

const LOGIN = (flags: string): string => `C: USER bob
S: 331
C: PASS secret
E: authenticate user=bob password=secret => ok user=bob ${flags}
S: 230`;

const PASV = `C: PASV
E: passive extended=false => ok host=127.0.0.1 port=50000
S: 227 Entering Passive Mode (127,0,0,1,195,80)`;

/** A session plus the unmatched parts of what it produced. */
export class Transcript {
  readonly session: ServerSession & ServerSessionDiagnostics;
  readonly #decoder = new ReplyDecoder({ maxReplySize: 1 << 20 });
  readonly #replies: Reply[] = [];
  readonly #effects: Effect[] = [];
  /** Matched effects that still wait for their outcome, by kind. */
  readonly #running = new Map<string, Effect & { id: number }>();
  #lastReply: Reply | undefined;
  #closed = false;
  #line = 0;
  /** Every Output, for tests that look at raw bytes. */
  readonly outputs: Output[] = [];

  constructor(options: TranscriptOptions = {}) {
    this.session = createServerSession({
      capabilities: { tls: false, setMtime: false, chmod: false },
      ...options.config,
    });
    this.#take(this.session.start());
    if (options.greet !== false) this.run('S: 220');
  }

  /** True once any output asked to close. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Everything written so far that no S: matched. */
  get unmatchedReplies(): readonly Reply[] {
    return this.#replies;
  }

  get unmatchedEffects(): readonly Effect[] {
    return this.#effects;
  }

  /** Runs a script; throws an Error naming the script line on the first mismatch. */
  run(script: string): this {
    const lines = expandMacros(script);
    for (const [i, raw] of lines.entries()) {
      this.#line = i + 1;
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      try {
        // C: keeps trailing spaces: arguments are raw.
        this.#step(line.startsWith('C:') ? raw.trimStart() : line);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        throw new Error(
          `transcript line ${i + 1} "${line}": ${msg}\n  unmatched replies: ${JSON.stringify(this.#replies.map((r) => `${r.code} ${r.text}`))}\n  unmatched effects: ${JSON.stringify(this.#effects)}`,
          { cause: err },
        );
      }
    }
    return this;
  }

  /** Asserts nothing is left unmatched. */
  finish(): void {
    this.run('--');
  }

  /** Sends raw bytes and records the output. */
  send(bytes: Uint8Array): Output {
    return this.#take(this.session.receive(bytes));
  }

  #take(out: Output): Output {
    this.outputs.push(out);
    for (const chunk of out.write) this.#replies.push(...this.#decoder.push(chunk));
    this.#effects.push(...out.effects);
    if (out.close) this.#closed = true;
    return out;
  }

  #step(line: string): void {
    const head = line.slice(0, 2);
    const rest = line.slice(2).trim();
    if (head === 'C:') {
      this.send(new TextEncoder().encode(`${line.slice(3)}\r\n`));
    } else if (head === 'C>') {
      this.send(new TextEncoder().encode(JSON.parse(rest) as string));
    } else if (head === 'C#') {
      this.send(Uint8Array.from(rest.split(/\s+/).map((h) => Number.parseInt(h, 16))));
    } else if (head === 'S:') {
      this.#expectReply(rest);
    } else if (head === 'S~' || head === 'S!') {
      const r = this.#lastReply;
      if (r === undefined) throw new Error('no reply matched yet');
      const has = r.text.includes(rest);
      if (head === 'S~' && !has) throw new Error(`reply ${r.code} does not contain "${rest}": ${JSON.stringify(r.text)}`);
      if (head === 'S!' && has) throw new Error(`reply ${r.code} contains "${rest}": ${JSON.stringify(r.text)}`);
    } else if (head === 'E:') {
      this.#expectEffect(rest);
    } else if (head === 'R:') {
      const [kind, outcomeText] = splitOutcome(rest);
      const effect = this.#running.get(kind.trim());
      if (effect === undefined) throw new Error(`no running ${kind} effect`);
      if (outcomeText === undefined) throw new Error('R: needs "=> outcome"');
      this.#running.delete(kind.trim());
      this.#take(this.session.resolve(effect.id, parseOutcome(outcomeText, effect)));
    } else if (line === 'END') {
      this.#take(this.session.end());
    } else if (line === 'IDLE') {
      this.#take(this.session.idleTimeout());
    } else if (line === 'CLOSED') {
      if (!this.#closed) throw new Error('the session did not ask to close');
    } else if (line === 'OPEN') {
      if (this.#closed) throw new Error('the session asked to close');
    } else if (line === '--') {
      if (this.#replies.length > 0 || this.#effects.length > 0) throw new Error('unmatched output left');
    } else {
      throw new Error('unknown directive');
    }
  }

  #expectReply(spec: string): void {
    const m = /^(\d{3})(?: (.*))?$/.exec(spec);
    if (m === null) throw new Error('S: needs a reply code');
    const r = this.#replies.shift();
    if (r === undefined) throw new Error(`expected reply ${spec}, got none`);
    this.#lastReply = r;
    if (r.code !== Number(m[1])) throw new Error(`expected reply ${spec}, got ${r.code} ${r.text}`);
    const text = m[2];
    if (text !== undefined && !(r.lines[0] ?? '').startsWith(text)) {
      throw new Error(`expected reply ${spec}, got ${r.code} ${r.lines[0]}`);
    }
  }

  #expectEffect(spec: string): void {
    const [matchText, outcomeText] = splitOutcome(spec);
    const [kind, ...fieldTokens] = tokenize(matchText);
    const e = this.#effects.shift();
    if (e === undefined) throw new Error(`expected effect ${kind}, got none`);
    if (e.kind !== kind) throw new Error(`expected effect ${kind}, got ${JSON.stringify(e)}`);
    for (const token of fieldTokens) {
      const [key, expected] = keyValue(token);
      const actual = fieldOf(e, key);
      const shown = actual instanceof Date ? actual.toISOString() : String(actual);
      if (shown !== expected) {
        throw new Error(`effect ${kind}: ${key} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
      }
    }
    if (!('id' in e)) {
      if (outcomeText !== undefined) throw new Error(`${kind} takes no outcome`);
      return;
    }
    if (outcomeText === undefined) {
      this.#running.set(e.kind, e);
      return;
    }
    this.#take(this.session.resolve(e.id, parseOutcome(outcomeText, e)));
  }
}

/** Starts a session and runs a script against it. */
export function transcript(script: string, options: TranscriptOptions = {}): Transcript {
  const t = new Transcript(options);
  t.run(script);
  t.finish();
  return t;
}

function expandMacros(script: string): string[] {
  const out: string[] = [];
  for (const raw of script.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('@login')) out.push(...LOGIN(line.slice('@login'.length).trim()).split('\n'));
    else if (line === '@pasv') out.push(...PASV.split('\n'));
    else out.push(raw);
  }
  return out;
}

function splitOutcome(text: string): [string, string | undefined] {
  const at = text.indexOf('=>');
  return at < 0 ? [text.trim(), undefined] : [text.slice(0, at).trim(), text.slice(at + 2).trim()];
}

function tokenize(text: string): string[] {
  return text.match(/(?:[^\s"]+="(?:[^"\\]|\\.)*"|[^\s"]+)/g) ?? [];
}

function keyValue(token: string): [string, string] {
  const eq = token.indexOf('=');
  if (eq < 0) return [token, 'true'];
  const key = token.slice(0, eq);
  const value = token.slice(eq + 1);
  return [key, value.startsWith('"') ? (JSON.parse(value) as string) : value];
}

function fieldOf(effect: Effect, key: string): unknown {
  const bags: object[] = [effect];
  if ('call' in effect) bags.push(effect.call);
  if ('spec' in effect && effect.spec !== undefined) bags.push(effect.spec);
  for (const bag of bags) if (Object.hasOwn(bag, key)) return (bag as Record<string, unknown>)[key];
  return undefined;
}

function parseOutcome(text: string, effect: Effect): Outcome {
  const [head = '', ...tokens] = tokenize(text);
  const fields = new Map(tokens.map(keyValue));
  const path = String(fieldOf(effect, 'path') ?? '/');
  if (head === 'ok') {
    const outcome: Extract<Outcome, { ok: true }> = { ok: true };
    const user = fields.get('user');
    if (user !== undefined) {
      outcome.user = { name: user };
      if (fields.has('ro')) outcome.user.readOnly = true;
      const deny = fields.get('deny');
      if (deny !== undefined) outcome.user.deny = deny.split(',');
    }
    const host = fields.get('host');
    if (host !== undefined) outcome.host = host;
    const port = fields.get('port');
    if (port !== undefined) outcome.port = Number(port);
    const bytes = fields.get('bytes');
    if (bytes !== undefined) outcome.bytes = Number(bytes);
    const digest = fields.get('digest');
    if (digest !== undefined) outcome.digest = digest;
    const lines = fields.get('lines');
    if (lines !== undefined) outcome.lines = lines.split('|');
    return outcome;
  }
  if (head === 'file' || head === 'dir' || head === 'symlink') {
    const size = head === 'file' ? Number(tokens.find((t) => /^\d+$/.test(t)) ?? '0') : 0;
    const name = path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
    const stat: NonNullable<Extract<Outcome, { ok: true }>['stat']> = { name, path, type: head, size, mtime: TRANSCRIPT_MTIME };
    const mode = fields.get('mode');
    if (mode !== undefined) stat.mode = Number.parseInt(mode, 8);
    const unique = fields.get('unique');
    if (unique !== undefined) stat.unique = unique;
    return { ok: true, stat };
  }
  if (head === 'aborted') return { ok: false, aborted: true, error: new DataChannelError('reset', 'aborted') };
  if (head === 'fail') return { ok: false, error: new Error(SECRET_ERROR_TEXT) };
  if (head === 'unavailable') return { ok: false, error: new LoginUnavailableError(SECRET_ERROR_TEXT) };
  if (head === 'too-many-sessions') return { ok: false, error: new LoginUnavailableError(SECRET_ERROR_TEXT, { reason: 'too-many-sessions' }) };
  if (head.startsWith('dc:')) {
    return { ok: false, error: new DataChannelError(head.slice(3) as DataChannelError['code'], SECRET_ERROR_TEXT) };
  }
  if (/^E[A-Z]+$/.test(head)) return { ok: false, error: new StorageError(head as StorageErrorCode, SECRET_ERROR_TEXT) };
  throw new Error(`unknown outcome "${text}"`);
}
