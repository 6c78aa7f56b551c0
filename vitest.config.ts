import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;

/** Workspace packages resolve to their sources, so tests never need a stale dist/. */
function workspaceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const group of ['packages', 'apps']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const dir of readdirSync(base)) {
      const pkgFile = join(base, dir, 'package.json');
      if (!existsSync(pkgFile)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { name: string; exports?: Record<string, unknown> };
      for (const sub of Object.keys(pkg.exports ?? {})) {
        if (sub === './package.json') continue;
        const entry = sub === '.' ? 'index.ts' : `${sub.slice(2)}/index.ts`;
        const src = join(base, dir, 'src', entry);
        if (existsSync(src)) aliases[sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`] = src;
      }
    }
  }
  return aliases;
}

function projects() {
  const list = [];
  for (const group of ['packages', 'apps', 'bench', 'packaging', 'load']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    const dirs = existsSync(join(base, 'package.json')) ? ['.'] : readdirSync(base);
    for (const dir of dirs) {
      if (!existsSync(join(base, dir, 'package.json'))) continue;
      const name = group === 'bench' || group === 'packaging' || group === 'load' ? group : `${group}/${dir}`;
      list.push({
        extends: true as const,
        test: { name, root: resolve(base, dir), include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
      });
    }
  }
  return list;
}

// Sorted longest-first so '@ftpkit/storage/testing' wins over '@ftpkit/storage'.
const alias = Object.entries(workspaceAliases())
  .sort(([a], [b]) => b.length - a.length)
  .map(([find, replacement]) => ({ find: new RegExp(`^${find.replace(/[/]/g, '\\/')}$`), replacement }));

export default defineConfig({
  resolve: { alias },
  test: {
    projects: projects(),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/test-support/**', '**/index.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: {
        'packages/codec/src/**/*.ts': { lines: 95 },
      },
    },
  },
});
