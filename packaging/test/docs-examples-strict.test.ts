import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every TypeScript example in docs/examples/ type-checks against the built packages' declarations
// under the settings `tsc --init` of TypeScript 5.9 writes (the strictest a new project starts
// with: exactOptionalPropertyTypes, noUncheckedIndexedAccess, verbatimModuleSyntax, ...), plus
// the node types the examples need.

const repo = resolve(import.meta.dirname, '../..');
const examples = join(repo, 'docs', 'examples');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

/** What `tsc --init` (TypeScript 5.9) enables, less jsx and emit options that do not apply. */
const TSC_INIT_OPTIONS = {
  module: 'nodenext',
  target: 'esnext',
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  strict: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: 'force',
  skipLibCheck: true,
};

/** Each package as a user gets it: its built declarations (`pnpm build` first; `pnpm test` does). */
function declarationPaths(): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const dir of readdirSync(join(repo, 'packages'))) {
    const dts = join(repo, 'packages', dir, 'dist', 'index.d.ts');
    if (existsSync(dts)) paths[`@ftpkit/${dir}`] = [dts];
    const testing = join(repo, 'packages', dir, 'dist', 'testing', 'index.d.ts');
    if (existsSync(testing)) paths[`@ftpkit/${dir}/testing`] = [testing];
  }
  return paths;
}

describe('docs/examples under the strictest `tsc --init` settings', () => {
  it('every .ts example type-checks (exactOptionalPropertyTypes, noUncheckedIndexedAccess, strict)', { timeout: 120_000 }, async () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.ts')).map((f) => join(examples, f));
    expect(files.length).toBeGreaterThan(0);
    const dir = await mkdtemp(join(tmpdir(), 'ftpkit-docs-strict-'));
    try {
      const config = {
        compilerOptions: {
          ...TSC_INIT_OPTIONS,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(repo, 'node_modules', '@types')],
          paths: declarationPaths(),
        },
        files,
      };
      await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
      const result = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 110_000 });
      expect(`${result.stdout}${result.stderr}`).toBe('');
      expect(result.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
