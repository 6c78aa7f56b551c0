import { FtpReplyError, joinRemote, mirror, remoteBasename, remoteDirname, type FtpClient, type MirrorAction, type Reply } from '@ftpkit/client';
import { spawn } from 'node:child_process';
import type { CommonOptions } from './connect.js';
import {
  assertAllMoved, downloadMany, expandLocal, matchRemote, resolveLocalDir, uploadMany,
} from './glob-transfers.js';
import { hasGlob, unescapeGlob } from './globs.js';
import { createProgress } from './progress.js';

/** Help lines of the commands this module adds to the shell. */
export const EXTRA_HELP = `  mget PATTERN...       download the matching remote files (*, ?, [abc]; \\* is a literal *)
  mput PATTERN...       upload the matching local files into the remote directory
  cat FILE...           write remote files to standard output
  mirror [-e] REMOTE LOCAL     make LOCAL equal to REMOTE (-e: delete what REMOTE lacks)
  mirror -R [-e] LOCAL REMOTE  the other way: upload
  quote CMD [ARGS]      send a raw command and print the reply
  site ARGS             send SITE ARGS (site CHMOD 644 FILE)
  !CMD                  run CMD in a local shell ($SHELL, else /bin/sh); ! alone opens one
`;

/** Command names this module adds, for Tab completion. */
export const EXTRA_COMMANDS: readonly string[] = ['mget', 'mput', 'cat', 'mirror', 'quote', 'site', '!'];
/** Those of them whose arguments are remote names. */
export const EXTRA_REMOTE_ARG: readonly string[] = ['mget', 'cat', 'mirror', 'site'];

/**
 * Verbs `quote` refuses: they open data connections or change state the client keeps (login,
 * directory, TLS), after which its own commands would no longer work. The shell has a command for each.
 */
const QUOTE_REFUSED = new Map<string, string>([
  ...['PASV', 'EPSV', 'PORT', 'EPRT', 'LIST', 'NLST', 'MLSD', 'RETR', 'STOR', 'STOU', 'APPE', 'REST']
    .map((v): [string, string] => [v, 'it needs a data connection: use ls, get, put']),
  ...['CWD', 'CDUP', 'XCWD', 'XCUP'].map((v): [string, string] => [v, 'use cd']),
  // The client sets TYPE I once at login; another type or mode would silently change every later transfer.
  ...['TYPE', 'MODE', 'STRU'].map((v): [string, string] => [v, 'transfers rely on TYPE I, MODE S, STRU F']),
  ...['USER', 'PASS', 'ACCT', 'REIN', 'AUTH', 'PBSZ', 'PROT', 'CCC', 'QUIT']
    .map((v): [string, string] => [v, 'it changes the login or the connection (use exit and reconnect)']),
]);

/** What the shell gives these commands. */
export interface ShellExtraContext {
  client: FtpClient;
  o: CommonOptions;
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when the shell reads a terminal: `!cmd` then gets the terminal. */
  tty: boolean;
  /** Stops reading the terminal while a local command owns it. */
  suspendInput: () => void;
  resumeInput: () => void;
}

/** Formats a reply as the server sent it (`211-...`, inner lines, `211 End`). */
export function formatReply(r: Reply): string {
  const lines = r.lines.length > 0 ? r.lines : [''];
  if (lines.length === 1) return `${r.code} ${lines[0]}\n`;
  return `${r.code}-${lines[0]}\n${lines.slice(1, -1).map((l) => `${l}\n`).join('')}${r.code} ${lines.at(-1)}\n`;
}

/** The text after the command word, as typed (quotes and spacing kept). */
function rest(line: string): string {
  return line.trimStart().replace(/^\S+\s?/, '');
}

function split(args: string[]): { flags: Set<string>; pos: string[] } {
  return { flags: new Set(args.filter((a) => /^--?[a-zA-Z-]+$/.test(a))), pos: args.filter((a) => !/^--?[a-zA-Z-]+$/.test(a)) };
}

async function runLocal(ctx: ShellExtraContext, command: string): Promise<void> {
  const shell = process.env.SHELL || '/bin/sh';
  const args = command.trim() === '' ? [] : ['-c', command];
  // A terminal goes to the child (an editor, a pager); piped commands stay ours, so it never reads the script.
  ctx.suspendInput();
  const ignoreInt = (): void => undefined;
  process.on('SIGINT', ignoreInt);
  try {
    const status = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveRun, reject) => {
      const child = spawn(shell, args, { stdio: [ctx.tty ? 'inherit' : 'ignore', 'inherit', 'inherit'] });
      child.once('error', reject);
      child.once('close', (code, signal) => resolveRun({ code, signal }));
    });
    if (status.signal) throw new Error(`killed by ${status.signal}`);
    if (status.code !== 0) throw new Error(`exited with status ${status.code}`);
  } finally {
    process.off('SIGINT', ignoreInt);
    ctx.resumeInput();
  }
}

async function quote(ctx: ShellExtraContext, raw: string): Promise<void> {
  const text = raw.trim();
  if (text === '') throw new Error('missing command (see help)');
  const verb = (text.split(/\s/, 1)[0] ?? '').toUpperCase();
  const why = QUOTE_REFUSED.get(verb);
  if (why) throw new Error(`${verb} is not sent by quote: ${why}`);
  const r = await ctx.client.send(text);
  if (r.code >= 400) throw new FtpReplyError(r.code, r.text, verb);
  ctx.out(formatReply(r));
}

/** Remote files one argument names: a pattern's matches in its directory, or the one path. */
async function remoteFiles(ctx: ShellExtraContext, arg: string): Promise<{ dir: string; names: string[] }> {
  const dir = remoteDirname(arg);
  if (hasGlob(dir)) throw new Error(`a pattern may only be in the file name: ${arg}`);
  const name = remoteBasename(arg);
  if (!hasGlob(name)) return { dir: unescapeGlob(dir), names: [unescapeGlob(name)] };
  const names = await matchRemote(ctx.client, unescapeGlob(dir), name, (n, reason) => ctx.err(`ftpkit: skipped ${JSON.stringify(n)}: ${reason}\n`));
  return { dir: unescapeGlob(dir), names };
}

async function mget(ctx: ShellExtraContext, patterns: string[], localDir: string | undefined, resume: boolean): Promise<void> {
  if (patterns.length === 0) throw new Error('missing argument (see help)');
  const local = await resolveLocalDir(localDir, false, ' (make it with !mkdir)');
  const batches: Array<{ dir: string; names: string[] }> = [];
  for (const p of patterns) batches.push(await remoteFiles(ctx, p));
  const total = batches.reduce((n, b) => n + b.names.length, 0);
  const onError = (path: string, e: unknown): void => {
    if (total > 1) ctx.err(`ftpkit: ${path}: ${e instanceof Error ? e.message : String(e)}\n`);
  };
  const moved = { files: [] as Array<{ path: string; local: string; bytes: number }>, failed: [] as Array<{ path: string; error: unknown }> };
  for (const b of batches) {
    const r = await downloadMany(ctx.client, b.dir, b.names, local, ctx.o, { resume, onError });
    moved.files.push(...r.files);
    moved.failed.push(...r.failed);
  }
  assertAllMoved(moved);
}

async function mput(ctx: ShellExtraContext, patterns: string[], remoteDir: string, resume: boolean): Promise<void> {
  if (patterns.length === 0) throw new Error('missing argument (see help)');
  const files: string[] = [];
  for (const p of patterns) files.push(...(await expandLocal(p)));
  const onError = (path: string, e: unknown): void => {
    if (files.length > 1) ctx.err(`ftpkit: ${path}: ${e instanceof Error ? e.message : String(e)}\n`);
  };
  assertAllMoved(await uploadMany(ctx.client, files, remoteDir, ctx.o, { resume, onError }));
}

async function cat(ctx: ShellExtraContext, args: string[]): Promise<void> {
  if (args.length === 0) throw new Error('missing argument (see help)');
  for (const a of args) {
    const { dir, names } = await remoteFiles(ctx, a);
    for (const n of names) await ctx.client.download(joinRemote(dir, n), process.stdout, { end: false });
  }
}

function describeAction(a: MirrorAction): string {
  if (a.type === 'mkdir') return `mkdir ${a.path}`;
  if (a.type === 'delete') return `removed ${a.path}`;
  return `transfer ${a.path} (${a.reason})`;
}

async function mirrorCommand(ctx: ShellExtraContext, args: string[]): Promise<void> {
  const { flags, pos } = split(args);
  const reverse = flags.has('-R') || flags.has('--reverse');
  const remove = flags.has('-e') || flags.has('--delete');
  const unknown = [...flags].filter((f) => !['-R', '--reverse', '-e', '--delete'].includes(f));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]} (see help)`);
  if (pos.length !== 2) throw new Error(`needs ${reverse ? 'LOCAL REMOTE' : 'REMOTE LOCAL'} (see help)`);
  const [from, to] = pos as [string, string];
  const remote = unescapeGlob(reverse ? to : from);
  const local = reverse ? from : to;
  const progress = createProgress('mirror', ctx.o);
  let total = 0;
  let moved = 0;
  const perPath = new Map<string, number>();
  try {
    const r = await mirror(ctx.client, remote, local, {
      direction: reverse ? 'upload' : 'download',
      delete: remove,
      onAction: (a) => { if (a.type === 'transfer') total += a.size; },
      onActionDone: (a) => { if (a.type === 'delete' || !ctx.o.quiet) ctx.out(`${describeAction(a)}\n`); },
      onProgress: (p) => {
        moved += p.bytes - (perPath.get(p.path) ?? 0);
        perPath.set(p.path, p.bytes);
        progress.update(moved, total);
      },
    });
    progress.stop();
    for (const s of r.skipped) ctx.err(`ftpkit: skipped ${JSON.stringify(s.path)}: ${s.reason}\n`);
  } finally {
    progress.stop();
  }
}

/**
 * Runs `line` when it is one of the commands this module adds (or `get`/`put` with a pattern);
 * returns false when it is not, so the shell's own table handles it. Throws on failure.
 */
export async function runShellExtra(ctx: ShellExtraContext, line: string, cmd: string, args: string[]): Promise<boolean> {
  if (line.trimStart().startsWith('!')) {
    await runLocal(ctx, line.trimStart().slice(1));
    return true;
  }
  const { flags, pos } = split(args);
  const resume = flags.has('-c');
  switch (cmd) {
    case 'get':
      if (!pos[0] || !hasGlob(pos[0])) return false;
      await mget(ctx, [pos[0]], pos[1], resume);
      return true;
    case 'put':
      if (!pos[0] || !hasGlob(pos[0])) return false;
      await mput(ctx, [pos[0]], pos[1] ?? '', resume);
      return true;
    case 'mget':
      await mget(ctx, pos, undefined, resume);
      return true;
    case 'mput':
      await mput(ctx, pos, '', resume);
      return true;
    case 'cat':
      await cat(ctx, pos);
      return true;
    case 'mirror':
      await mirrorCommand(ctx, args);
      return true;
    case 'quote':
      await quote(ctx, rest(line));
      return true;
    case 'site':
      await quote(ctx, `SITE ${rest(line)}`);
      return true;
    default:
      return false;
  }
}
