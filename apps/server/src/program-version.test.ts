import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN } from './test-support/s3-program.js';

const APP = join(import.meta.dirname, '..');
const CLI_MAIN = join(APP, '..', 'cli', 'dist', 'main.js');

function hasGit(): boolean {
  if (spawnSync('git', ['--version'], { stdio: 'ignore' }).status === 0) return true;
  if (process.env.CI) throw new Error('git is missing: the version test reads the commit of the clone');
  return false;
}

const versionOf = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
const run = (main: string, cwd: string): string => execFileSync(process.execPath, [main, '--version'], { cwd, encoding: 'utf8', timeout: 30_000 }).trim();

describe('--version', () => {
  it('ftpkit-server run from a clone prints the package version and the commit', () => {
    if (!hasGit()) return;
    const git = (...args: string[]): string => execFileSync('git', ['-C', APP, ...args], { encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no') === '' ? '' : '-dirty';
    const expected = `${versionOf(APP)} (commit ${git('rev-parse', '--short=12', 'HEAD')}${dirty})`;
    // From any working directory: the commit is the program's, not the one of the directory it runs in.
    expect(run(MAIN, tmpdir())).toBe(expected);
  });

  it('an installed ftpkit-server prints the version alone, also inside a git repository of its own', () => {
    if (!hasGit()) return;
    const project = mkdtempSync(join(tmpdir(), 'ftpkit-installed-'));
    execFileSync('git', ['init', '-q', project]);
    const installed = join(project, 'node_modules', '@ftpkit', 'ftpkit-server');
    mkdirSync(installed, { recursive: true });
    cpSync(join(APP, 'package.json'), join(installed, 'package.json'));
    cpSync(join(APP, 'dist'), join(installed, 'dist'), { recursive: true });
    symlinkSync(join(APP, 'node_modules'), join(installed, 'node_modules'));
    expect(run(join(installed, 'dist', 'main.js'), project)).toBe(versionOf(APP));
  });

  it('ftpkit prints its package version', () => {
    expect(run(CLI_MAIN, tmpdir())).toBe(versionOf(join(APP, '..', 'cli')));
  });
});
