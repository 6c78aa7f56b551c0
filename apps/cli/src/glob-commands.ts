import { FtpError, joinRemote, remoteBasename, remoteDirname, unsafeNameReason, type FtpClient } from '@ftpkit/client';
import { Option, type Command } from 'commander';
import { connectFor, type CommonOptions } from './connect.js';
import {
  assertAllMoved, downloadMany, expandLocal, matchRemote, resolveLocalDir, uploadMany, type ManyResult,
} from './glob-transfers.js';
import { parseRemoteGlobUrl } from './globs.js';
import { positiveInteger } from './option-values.js';
import type { Io } from './program.js';

/** Options of `get` with a pattern and of `mget`. */
export interface GetManyOptions extends CommonOptions {
  continue?: boolean;
  segments?: number;
  createDirs?: boolean;
}

/** What the one-shot commands need from the program around them. */
export interface GlobDeps {
  io: Io;
  describeError: (err: unknown) => string;
  signalOnInterrupt: () => { signal: AbortSignal; done: () => void };
}

/** True when a `get` URL is a pattern (`ftp://h/dir/*.txt`); throws for a malformed one. */
export function isGlobUrl(url: string): boolean {
  return parseRemoteGlobUrl(url) !== undefined;
}

function report(deps: GlobDeps, o: CommonOptions, results: ManyResult[]): void {
  if (!o.json) return;
  const files = results.flatMap((r) => r.files);
  const failed = results.flatMap((r) => r.failed.map((f) => ({ path: f.path, error: deps.describeError(f.error) })));
  deps.io.out(`${JSON.stringify({ files, failed })}\n`);
}

function errorPrinter(deps: GlobDeps, o: CommonOptions, batch: () => number): (path: string, err: unknown) => void {
  // A batch of one reports its failure once, through the program's error line.
  return (path, err) => {
    if (!o.json && batch() > 1) deps.io.err(`ftpkit: ${path}: ${deps.describeError(err)}\n`);
  };
}

/** The file name a URL without a pattern names; a directory ('/', 'dir/', '..') is refused. */
function plainName(path: string): string {
  const name = remoteBasename(path);
  if (path.endsWith('/') || unsafeNameReason(name)) throw new FtpError('BAD_URL', `${path} names a directory, not a file (use a pattern such as ${joinRemote(path, '*')}, or mirror)`);
  return name;
}

async function withConnection<T>(url: string, o: CommonOptions, fn: (c: FtpClient, path: string) => Promise<T>): Promise<T> {
  const { client, url: u } = await connectFor(url, o);
  try {
    return await fn(client, u.path === '' ? '/' : u.path);
  } finally {
    await client.close();
  }
}

/**
 * Downloads every file each URL names into directory `local` (default '.'): a pattern's matches,
 * or the one file of a plain URL. Stops at a pattern that matches nothing (NoMatchError).
 */
export async function getMany(deps: GlobDeps, urls: string[], local: string | undefined, o: GetManyOptions): Promise<void> {
  const localDir = await resolveLocalDir(local, o.createDirs ?? false);
  const results: ManyResult[] = [];
  let batch = 0;
  const onError = errorPrinter(deps, o, () => batch);
  const { signal, done } = deps.signalOnInterrupt();
  try {
    for (const url of urls) {
      const glob = parseRemoteGlobUrl(url);
      await withConnection(url, o, async (c, path) => {
        const dir = glob ? glob.dir : remoteDirname(path) || '/';
        const names = glob
          ? await matchRemote(c, glob.dir, glob.pattern, (name, reason) => deps.io.err(`ftpkit: skipped ${JSON.stringify(name)}: ${reason}\n`))
          : [plainName(path)];
        batch += names.length;
        results.push(await downloadMany(c, dir, names, localDir, o, { resume: o.continue, segments: o.segments, signal, onError }));
      });
    }
  } finally {
    done();
  }
  report(deps, o, results);
  assertAllMoved({ files: results.flatMap((r) => r.files), failed: results.flatMap((r) => r.failed) });
}

/**
 * Uploads the files the local arguments name (patterns expanded, all before connecting) into the
 * remote directory of `url`.
 */
export async function putMany(deps: GlobDeps, locals: string[], url: string, o: CommonOptions & { continue?: boolean }): Promise<void> {
  const files: string[] = [];
  for (const arg of locals) files.push(...(await expandLocal(arg)));
  const onError = errorPrinter(deps, o, () => files.length);
  const { signal, done } = deps.signalOnInterrupt();
  try {
    await withConnection(url, o, async (c, path) => {
      const r = await uploadMany(c, files, path, o, { resume: o.continue, signal, onError });
      report(deps, o, [r]);
      assertAllMoved(r);
    });
  } finally {
    done();
  }
}

/** Adds `mget` and `mput` to the program. */
export function addGlobCommands(program: Command, deps: GlobDeps, addCommon: (cmd: Command) => Command): void {
  addCommon(program.command('mget').argument('<url...>', 'remote file URLs; the last path part may be a pattern (*, ?, [abc])')
    .description('download every file the URLs name or match into a directory')
    .option('-O, --output-dir <dir>', 'local directory (default: the current one)')
    .option('-c, --continue', 'resume partial local files')
    .option('--create-dirs', 'create the output directory if missing')
    .addOption(new Option('--segments <n>', 'download each file over N connections at once').argParser(positiveInteger)))
    .action(async (urls: string[], o: GetManyOptions & { outputDir?: string }) => {
      await getMany(deps, urls, o.outputDir, o);
    });

  const mput = addCommon(program.command('mput').argument('<local-and-url...>', 'LOCAL... URL: local files or patterns, then the remote directory URL')
    .description('upload every file the local arguments name or match into a remote directory')
    .option('-c, --continue', 'resume from the remote file sizes'));
  mput.action(async (args: string[], o: CommonOptions & { continue?: boolean }) => {
    const url = args.at(-1);
    if (args.length < 2 || url === undefined) mput.error('error: mput needs LOCAL... and a URL', { code: 'commander.missingArgument', exitCode: 2 });
    else await putMany(deps, args.slice(0, -1), url, o);
  });
}
