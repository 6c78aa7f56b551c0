import {
  downloadSegmented, FtpError, FtpLocalError, FtpReplyError, joinRemote, mirror, remoteBasename, remoteDirname,
  type FtpClient, type MirrorAction,
} from '@ftpkit/client';
import { Command, CommanderError, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { connectFor, redactUrl, type CommonOptions } from './connect.js';
import { CliError, EXIT, exitCodeFor, UsageError } from './exit-codes.js';
import { formatEntry } from './format.js';
import { addGlobCommands, getMany, isGlobUrl, putMany } from './glob-commands.js';
import { hasGlob } from './globs.js';
import { positiveInteger, positiveSeconds } from './option-values.js';
import { createProgress } from './progress.js';
import { runShell } from './shell.js';

/** Where the program writes; swapped in tests of the parser only. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    // Never a made-up version: 0.0.0 would look like a real (unreleased) one.
    return 'unknown (package.json unreadable)';
  }
}

/** The one-line message for a failure: names the reply code, never the password. */
export function describeError(err: unknown): string {
  if (err instanceof FtpReplyError) return `server replied ${err.replyCode}: ${err.message}`;
  if (err instanceof FtpError) return redactUrl(err.message);
  if (err instanceof Error) return redactUrl(err.message);
  return String(err);
}

function addCommon(cmd: Command): Command {
  return cmd
    .option('--tls', 'use explicit TLS (AUTH TLS), as ftpes:// URLs do; ftps:// URLs use implicit TLS')
    .option('--insecure', 'do not check the server certificate')
    .option('--ca <file>', 'trust this CA certificate (PEM)')
    .option('--active', 'active mode (the server connects back) instead of passive')
    .option('--user <name>', 'login name (default: from the URL, ~/.netrc, or anonymous)')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('-q, --quiet', 'no progress output')
    .option('--json', 'machine-readable output on stdout')
    .addOption(new Option('--timeout <seconds>', 'give up on a connect, a reply or a stalled transfer after this long (default: 15 s connect, 30 s reply and stall)').argParser(positiveSeconds))
    .addOption(new Option('--progress <mode>', 'progress: a bar on a terminal (auto), always a bar, JSON lines, or none; always on stderr').choices(['auto', 'bar', 'json', 'none']).default('auto'));
}

/**
 * The error for a remote path that is a directory where a file was asked for: `get URL/dir/`
 * must not leave a file named `dir` (curl and lftp refuse too).
 */
function isDirectoryError(path: string): CliError {
  return new CliError(`${path} is a directory (ftpkit mirror URL LOCALDIR downloads a directory, ftpkit ls lists it)`, EXIT.usage, 'IS_A_DIRECTORY');
}

/** After a failed download: a 550 for a path that is a directory becomes the clearer error. */
async function explainDownloadFailure(c: FtpClient, path: string, err: unknown): Promise<unknown> {
  if (!(err instanceof FtpReplyError) || err.replyCode !== 550) return err;
  const st = await c.stat(path).catch(() => undefined);
  return st?.type === 'dir' ? isDirectoryError(path) : err;
}

function remotePath(p: string): string {
  return p === '' ? '/' : p;
}

async function withClient<T>(url: string, o: CommonOptions, fn: (c: FtpClient, path: string) => Promise<T>): Promise<T> {
  const { client, url: u } = await connectFor(url, o);
  try {
    return await fn(client, remotePath(u.path));
  } finally {
    await client.close();
  }
}

/** An AbortSignal that Ctrl-C (SIGINT) aborts, until `done()`. */
export function signalOnInterrupt(): { signal: AbortSignal; done: () => void } {
  const ac = new AbortController();
  const onInt = (): void => ac.abort(new Error('interrupted'));
  process.once('SIGINT', onInt);
  return { signal: ac.signal, done: () => process.off('SIGINT', onInt) };
}

/** Builds the `ftpkit` command tree. */
export function createProgram(io: Io = defaultIo): Command {
  const program = new Command('ftpkit')
    .description('FTP/FTPS client: one-shot commands, mirror, segmented downloads and an interactive shell.\nPasswords: --password-stdin, $FTPKIT_PASSWORD or ~/.netrc (a password in the URL shows in ps).')
    .version(version(), '-V, --version')
    // Set before the subcommands exist: they inherit it, so their usage errors come back to run() too.
    .exitOverride()
    .showHelpAfterError('(ftpkit COMMAND --help shows the usage)')
    // Usage errors read like every other failure: "ftpkit: <what>".
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (text, write) => write(text.replace(/^error: /, 'ftpkit: ')) });
  const globDeps = { io, describeError, signalOnInterrupt };

  addCommon(program.command('ls').argument('<url>', 'directory or file URL').description('list a directory'))
    .action(async (url: string, o: CommonOptions) => {
      await withClient(url, o, async (c, path) => {
        const entries = await c.list(path);
        if (o.json) io.out(`${JSON.stringify(entries)}\n`);
        else for (const e of entries) io.out(`${formatEntry(e)}\n`);
      });
    });

  addCommon(program.command('get').argument('<url>', 'remote file URL; a pattern in its last part (\'.../*.txt\') gets every match').argument('[local]', 'local file or directory (default: the remote name)')
    .description('download a file')
    .option('-c, --continue', 'resume a partial local file (kept, not removed, when the download fails)')
    .option('--create-dirs', 'create the missing directories of LOCAL')
    .addOption(new Option('--segments <n>', 'download over N connections at once').argParser(positiveInteger)))
    .action(async (url: string, local: string | undefined, o: CommonOptions & { continue?: boolean; segments?: number; createDirs?: boolean }) => {
      if (isGlobUrl(url)) return getMany(globDeps, [url], local, o);
      if (local === '-') {
        if (o.segments !== undefined && o.segments > 1) throw new UsageError('--segments needs a local file, not - (standard output)');
        if (o.continue) throw new UsageError('--continue needs a local file, not - (standard output)');
        if (o.json) throw new UsageError('--json cannot be used with - (standard output carries the file)');
      }
      await withClient(url, o, async (c, path) => {
        if (path.endsWith('/')) throw isDirectoryError(path);
        if (local === '-') {
          const progress = createProgress(remoteBasename(path), o);
          const { signal, done } = signalOnInterrupt();
          try {
            await c.download(path, process.stdout, { end: false, signal, onProgress: (p) => progress.update(p.offset + p.bytes, p.total, p.offset) });
          } catch (err) {
            throw await explainDownloadFailure(c, path, err);
          } finally {
            progress.stop();
            done();
          }
          return;
        }
        let target = local ?? remoteBasename(path);
        if (local && (await stat(local).then((s) => s.isDirectory(), () => false))) target = join(local, remoteBasename(path));
        const createDirs = o.createDirs ?? false;
        const progress = createProgress(basename(target), o);
        const { signal, done } = signalOnInterrupt();
        try {
          if (o.segments && o.segments > 1) {
            const r = await downloadSegmented(c, path, target, { segments: o.segments, createDirs, signal, onProgress: (p) => progress.update(p.bytes, p.total) });
            progress.stop();
            if (o.json) io.out(`${JSON.stringify({ path, local: target, bytes: r.bytes, segments: r.segments, verifiedWith: r.verifiedWith ?? null })}\n`);
          } else {
            const r = await c.download(path, target, { resume: o.continue ?? false, createDirs, signal, onProgress: (p) => progress.update(p.offset + p.bytes, p.total, p.offset) });
            progress.stop();
            if (o.json) io.out(`${JSON.stringify({ path, local: target, bytes: r.bytes, offset: r.offset })}\n`);
          }
        } catch (err) {
          if (err instanceof FtpLocalError && !createDirs && err.path === dirname(target) && !existsSync(err.path)) {
            throw new FtpLocalError(`${err.message} (--create-dirs creates it)`, err.path, { cause: err });
          }
          throw await explainDownloadFailure(c, path, err);
        } finally {
          progress.stop();
          done();
        }
      });
    });

  addCommon(program.command('put').argument('<local>', 'local file, or - for standard input; a pattern (\'*.log\') puts every match into the directory URL').argument('<url>', 'remote file URL (ending in / for a directory)')
    .description('upload a file')
    .option('-c, --continue', 'resume from the remote file size'))
    .action(async (local: string, url: string, o: CommonOptions & { continue?: boolean }) => {
      if (hasGlob(local)) return putMany(globDeps, [local], url, o);
      const fromStdin = local === '-';
      if (fromStdin && o.passwordStdin) throw new UsageError('--password-stdin cannot be used with - (standard input carries the file)');
      await withClient(url, o, async (c, path) => {
        if (fromStdin && (path === '' || path.endsWith('/'))) throw new UsageError('put - needs a remote file name: the URL ends in /');
        const target = path.endsWith('/') ? joinRemote(path, basename(local)) : path;
        const progress = createProgress(fromStdin ? remoteBasename(target) : basename(local), o);
        const { signal, done } = signalOnInterrupt();
        try {
          const r = await c.upload(fromStdin ? process.stdin : local, target, { resume: o.continue ?? false, signal, onProgress: (p) => progress.update(p.offset + p.bytes, p.total, p.offset) });
          progress.stop();
          if (o.json) io.out(`${JSON.stringify({ path: target, local, bytes: r.bytes, offset: r.offset })}\n`);
        } finally {
          progress.stop();
          done();
        }
      });
    });

  addCommon(program.command('cat').argument('<url>', 'remote file URL').description('write a remote file to standard output'))
    .action(async (url: string, o: CommonOptions) => {
      await withClient(url, o, async (c, path) => {
        await c.download(path, process.stdout, { end: false });
      });
    });

  addCommon(program.command('rm').argument('<url>', 'remote file or directory URL').description('remove a file (or a directory with -r)')
    .option('-r, --recursive', 'remove a directory and everything in it'))
    .action(async (url: string, o: CommonOptions & { recursive?: boolean }) => {
      await withClient(url, o, async (c, path) => {
        if (o.recursive) {
          const st = await c.stat(path).catch(() => undefined);
          if (st?.type === 'dir') await c.removeDir(path, { recursive: true });
          else await c.remove(path);
        } else await c.remove(path);
        if (o.json) io.out(`${JSON.stringify({ removed: path })}\n`);
      });
    });

  addCommon(program.command('mkdir').argument('<url>', 'remote directory URL').description('make a directory')
    .option('-p, --parents', 'make missing parents; no error if it exists'))
    .action(async (url: string, o: CommonOptions & { parents?: boolean }) => {
      await withClient(url, o, async (c, path) => {
        await c.mkdir(path, { recursive: o.parents ?? false });
        if (o.json) io.out(`${JSON.stringify({ created: path })}\n`);
      });
    });

  addCommon(program.command('mv').argument('<url>', 'remote file URL').argument('<newpath>', 'new path (relative to the file\'s directory unless absolute)')
    .description('rename or move a remote file'))
    .action(async (url: string, newPath: string, o: CommonOptions) => {
      await withClient(url, o, async (c, path) => {
        const to = newPath.startsWith('/') ? newPath : joinRemote(remoteDirname(path) || '', newPath);
        await c.rename(path, to);
        if (o.json) io.out(`${JSON.stringify({ from: path, to })}\n`);
      });
    });

  addCommon(program.command('mirror').argument('<source>', 'remote URL (or LOCALDIR with --reverse)').argument('<target>', 'local directory (or URL with --reverse)')
    .description('make a local directory equal to a remote one (--reverse: the other way)')
    .option('-R, --reverse', 'upload: mirror LOCALDIR to URL')
    .addOption(new Option('--parallel <n>', 'transfer N files at once').argParser(positiveInteger).default(1))
    .option('--delete', 'delete files the source does not have (each removal is printed)')
    .option('--dry-run', 'only show what would be done (changes nothing, creates nothing)'))
    .action(async (source: string, target: string, o: CommonOptions & { reverse?: boolean; parallel: number; delete?: boolean; dryRun?: boolean }) => {
      const url = o.reverse ? target : source;
      const localDir = o.reverse ? source : target;
      await withClient(url, o, async (c, path) => {
        const progress = createProgress('mirror', o);
        let total = 0;
        let moved = 0;
        const perPath = new Map<string, number>();
        const { signal, done } = signalOnInterrupt();
        try {
          const r = await mirror(c, path, localDir, {
            direction: o.reverse ? 'upload' : 'download',
            parallel: o.parallel,
            delete: o.delete ?? false,
            dryRun: o.dryRun ?? false,
            signal,
            onAction: (a: MirrorAction) => { if (a.type === 'transfer') total += a.size; },
            // Printed as each action completes, so a failure half-way still shows what was removed.
            onActionDone: (a: MirrorAction) => {
              if (o.json) return;
              if (a.type === 'delete') io.out(`removed ${a.path}\n`);
              else if (!o.quiet) io.out(`${describeAction(a)}\n`);
            },
            onProgress: (p) => {
              moved += p.bytes - (perPath.get(p.path) ?? 0);
              perPath.set(p.path, p.bytes);
              progress.update(moved, total);
            },
          });
          progress.stop();
          if (o.json) io.out(`${JSON.stringify({ actions: r.actions, skipped: r.skipped, bytes: r.bytes })}\n`);
          else if (!o.quiet) {
            if (o.dryRun) for (const a of r.actions) io.out(`would ${describeAction(a)}\n`);
            for (const s of r.skipped) io.err(`ftpkit: skipped ${JSON.stringify(s.path)}: ${s.reason}\n`);
          }
        } finally {
          progress.stop();
          done();
        }
      });
    });

  addGlobCommands(program, globDeps, addCommon);

  addCommon(program.command('shell').argument('<url>', 'server URL (its path becomes the working directory)')
    .description('interactive prompt: ls cd pwd get put mget mput cat mirror quote site rm mkdir mv lcd lls !cmd help exit'))
    .action(async (url: string, o: CommonOptions) => {
      const { client, url: u } = await connectFor(url, o);
      try {
        if (u.path && u.path !== '/') await client.cd(u.path);
        const failed = await runShell(client, o);
        if (failed > 0) process.exitCode = 1;
      } finally {
        await client.close();
      }
    });

  return program;
}

function describeAction(a: MirrorAction): string {
  if (a.type === 'mkdir') return `mkdir ${a.path}`;
  if (a.type === 'delete') return `delete ${a.path}`;
  return `transfer ${a.path} (${a.reason})`;
}

/** Runs the program and returns the exit status. */
export async function run(argv: string[], io: Io = defaultIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    // Commander has printed its one-line message already.
    if (err instanceof CommanderError) return EXIT.usage;
    const exitCode = exitCodeFor(err);
    const json = argv.includes('--json');
    if (json) {
      const e: Record<string, unknown> = { error: describeError(err), code: code ?? 'ERROR', exitCode };
      if (err instanceof FtpReplyError) e.replyCode = err.replyCode;
      io.err(`${JSON.stringify(e)}\n`);
    } else io.err(`ftpkit: ${describeError(err)}\n`);
    return exitCode;
  }
}
