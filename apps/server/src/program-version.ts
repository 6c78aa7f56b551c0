import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's directory (`apps/server` in a clone, `node_modules/@ftpkit/ftpkit-server` when installed). */
const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The version in package.json (read at run time so src and dist agree). */
export function programVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The commit this program runs from when it runs from a clone of the ftpkit repository (the
 * short hash, `-dirty` when the work tree has changes to tracked files), else undefined: an
 * installed package, no git, or a git repository around the installation that is not ftpkit's.
 */
export function cloneCommit(): string | undefined {
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', PACKAGE_DIR, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim();
  try {
    const top = git('rev-parse', '--show-toplevel');
    // Only the repository whose apps/server this is: a project that installed the package may be a git repository too.
    if (relative(resolve(top), PACKAGE_DIR) !== join('apps', 'server').split('/').join(sep)) return undefined;
    const hash = git('rev-parse', '--short=12', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return `${hash}${dirty ? '-dirty' : ''}`;
  } catch {
    return undefined;
  }
}

/** What `--version` prints: `0.3.1`, or `0.3.1 (commit 1a2b3c4d5e6f)` from a clone. */
export function versionLine(): string {
  const commit = cloneCommit();
  return commit === undefined ? programVersion() : `${programVersion()} (commit ${commit})`;
}
