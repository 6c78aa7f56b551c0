import { downloadSegmented, FtpLocalError, joinRemote, unsafeNameReason, type FtpClient, type ListEntry } from '@ftpkit/client';
import { mkdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { glob } from 'tinyglobby';
import type { CommonOptions } from './connect.js';
import { createNameMatcher, hasGlob, NoMatchError, toPicomatch, unescapeGlob } from './globs.js';
import { createProgress } from './progress.js';

/** Deepest local directory level a `**` pattern walks. */
const LOCAL_GLOB_DEPTH = 64;

/** One file a multi-file transfer moved. */
export interface MovedFile {
  path: string;
  local: string;
  bytes: number;
}

/** What a multi-file transfer did; `failed` is empty when every file arrived. */
export interface ManyResult {
  files: MovedFile[];
  failed: Array<{ path: string; error: unknown }>;
}

/** Several files of one batch failed; `cause` is the first failure. */
export class SomeFilesFailedError extends Error {
  override readonly name = 'SomeFilesFailedError';
  readonly code = 'SOME_FILES_FAILED';
  constructor(failed: number, total: number, first: unknown) {
    super(`${failed} of ${total} files failed`, { cause: first });
  }
}

/** Which entries of one listing a pattern selects. */
export interface Selection {
  /** Files (and symlinks) that match and are safe to use as one local name, sorted. */
  names: string[];
  /** Matching names a hostile listing could use to write elsewhere ('../x', 'a/b'), with why. */
  skipped: Array<{ name: string; reason: string }>;
  /** How many directories matched (they are not downloaded). */
  dirs: number;
}

/** Selects the entries of a listing that `pattern` matches; no I/O. */
export function selectMatches(entries: readonly ListEntry[], pattern: string): Selection {
  const matches = createNameMatcher(pattern);
  const selection: Selection = { names: [], skipped: [], dirs: 0 };
  for (const e of entries) {
    if (!matches(e.name)) continue;
    if (e.type === 'dir') {
      selection.dirs++;
      continue;
    }
    const reason = unsafeNameReason(e.name);
    if (reason) selection.skipped.push({ name: e.name, reason });
    else selection.names.push(e.name);
  }
  selection.names.sort();
  return selection;
}

/**
 * Names of the files in remote `dir` that match `pattern` (see {@link selectMatches}); skipped
 * names are reported through `onSkip`. Throws NoMatchError when nothing is left.
 */
export async function matchRemote(client: FtpClient, dir: string, pattern: string, onSkip: (name: string, reason: string) => void): Promise<string[]> {
  const { names, skipped, dirs } = selectMatches(await client.list(dir), pattern);
  for (const s of skipped) onSkip(s.name, s.reason);
  if (names.length === 0) {
    const where = dir === '' ? await client.pwd().catch(() => 'the current remote directory') : dir;
    throw new NoMatchError(pattern, dirs > 0 ? `${where} (only directories match: use mirror)` : where);
  }
  return names;
}

/**
 * Local files for one argument: the files a pattern matches (sorted; throws NoMatchError when none),
 * or the one path a plain argument names (its backslash escapes removed).
 */
export async function expandLocal(arg: string): Promise<string[]> {
  if (!hasGlob(arg)) return [unescapeGlob(arg)];
  const found = await glob([toPicomatch(arg)], {
    onlyFiles: true, dot: false, braceExpansion: false, extglob: false, expandDirectories: false, deep: LOCAL_GLOB_DEPTH,
    // Paths as the user wrote them: absolute for an absolute pattern, else relative to the current directory.
    absolute: isAbsolute(arg),
  });
  if (found.length === 0) throw new NoMatchError(arg, 'the local file system');
  return found.sort();
}

/**
 * The local directory a batch of downloads goes to: `local` (default '.') must be a directory;
 * a missing one is made only with `createDirs` (`hint` says how to ask for that).
 */
export async function resolveLocalDir(local: string | undefined, createDirs: boolean, hint = ' (--create-dirs creates it)'): Promise<string> {
  const dir = local ?? '.';
  const st = await stat(dir).catch(() => undefined);
  if (st?.isDirectory()) return dir;
  if (st) throw new FtpLocalError(`${dir} is not a directory (a pattern downloads into a directory)`, dir);
  if (!createDirs) throw new FtpLocalError(`${dir} does not exist${hint}`, dir);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Options of {@link downloadMany} and {@link uploadMany}. */
export interface ManyOptions {
  resume?: boolean | undefined;
  segments?: number | undefined;
  signal?: AbortSignal | undefined;
  /** A file that failed; the batch goes on with the next one. */
  onError: (path: string, error: unknown) => void;
  /** A file that arrived. */
  onDone?: ((file: MovedFile) => void) | undefined;
}

/** One file of a batch: where it goes, and how to move it with a progress bar. */
interface BatchItem {
  path: string;
  local: string;
  label: string;
  move: (progress: ReturnType<typeof createProgress>) => Promise<number>;
}

/** Moves `items` one after the other; a failure is reported and the batch goes on. */
async function runBatch(items: Iterable<BatchItem>, o: CommonOptions, opts: ManyOptions): Promise<ManyResult> {
  const result: ManyResult = { files: [], failed: [] };
  for (const { path, local, label, move } of items) {
    opts.signal?.throwIfAborted();
    const progress = createProgress(label, o);
    try {
      const bytes = await move(progress);
      progress.stop();
      const file = { path, local, bytes };
      result.files.push(file);
      opts.onDone?.(file);
    } catch (error) {
      progress.stop();
      result.failed.push({ path, error });
      opts.onError(path, error);
    }
  }
  return result;
}

/** Downloads `names` from remote `dir` into `localDir`, one after the other. */
export function downloadMany(client: FtpClient, dir: string, names: string[], localDir: string, o: CommonOptions, opts: ManyOptions): Promise<ManyResult> {
  const items = names.map((name): BatchItem => {
    const path = joinRemote(dir, name);
    const local = join(localDir, name);
    return {
      path,
      local,
      label: name,
      move: async (progress) =>
        opts.segments && opts.segments > 1
          ? (await downloadSegmented(client, path, local, { segments: opts.segments, signal: opts.signal, onProgress: (p) => progress.update(p.bytes, p.total) })).bytes
          : (await client.download(path, local, { resume: opts.resume ?? false, signal: opts.signal, onProgress: (p) => progress.update(p.offset + p.bytes, p.total) })).bytes,
    };
  });
  return runBatch(items, o, opts);
}

/**
 * Uploads local `files` into remote directory `dir` under their own names, one after the other.
 * Two files with the same name would overwrite each other: that is refused before anything moves.
 */
export async function uploadMany(client: FtpClient, files: string[], dir: string, o: CommonOptions, opts: ManyOptions): Promise<ManyResult> {
  const seen = new Map<string, string>();
  for (const f of files) {
    const other = seen.get(basename(f));
    if (other !== undefined && other !== f) throw new FtpLocalError(`${other} and ${f} would both be uploaded as ${basename(f)}`, f);
    seen.set(basename(f), f);
  }
  const items = [...new Set(files)].map((local): BatchItem => {
    const path = joinRemote(dir, basename(local));
    return {
      path,
      local,
      label: basename(local),
      move: async (progress) =>
        (await client.upload(local, path, { resume: opts.resume ?? false, signal: opts.signal, onProgress: (p) => progress.update(p.offset + p.bytes, p.total) })).bytes,
    };
  });
  return runBatch(items, o, opts);
}

/** Throws when part of a batch failed (the first failure is the cause). */
export function assertAllMoved(r: ManyResult): void {
  const first = r.failed[0];
  if (!first) return;
  if (r.failed.length === 1 && r.files.length === 0) throw first.error;
  throw new SomeFilesFailedError(r.failed.length, r.failed.length + r.files.length, first.error);
}
