#!/usr/bin/env node
// Architecture checks that the type checker cannot make:
//  --package DIR : the package's sources import only what its package.json declares, and the
//                  sans-IO packages (@ftpkit/codec, @ftpkit/session) import no Node built-in, and
//                  @ftpkit/client opens no socket itself: its connections, listeners and TLS come
//                  from @ftpkit/transport, so it imports neither node:net nor node:tls (not even a
//                  type). Tests and src/**/test-support/ (test-only helpers, never exported) are exempt.
//  (no flag)     : every package, plus the workspace dependency graph: no cycles, and only the
//                  apps depend on @ftpkit/server or @ftpkit/client.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const SANS_IO = new Set(['@ftpkit/codec', '@ftpkit/session']);
const APP_ONLY = new Set(['@ftpkit/server', '@ftpkit/client']);
/** Packages whose sockets all come from @ftpkit/transport (shared/DESIGN.md: client = codec + transport). */
const SOCKETS_FROM_TRANSPORT = new Set(['@ftpkit/client']);
const SOCKET_MODULES = new Set(['net', 'tls', 'node:net', 'node:tls']);
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function workspacePackageDirs() {
  const dirs = [];
  for (const group of ['packages', 'apps', 'bench']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    if (existsSync(join(base, 'package.json'))) dirs.push(base);
    else for (const d of readdirSync(base)) if (existsSync(join(base, d, 'package.json'))) dirs.push(join(base, d));
  }
  return dirs;
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === '__fixtures__') continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|tsx|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const specs = [];
  for (const m of text.matchAll(importRe)) specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

function packageName(spec) {
  if (spec.startsWith('@')) return spec.split('/').slice(0, 2).join('/');
  return spec.split('/')[0];
}

function checkPackage(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const runtime = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const all = new Set([...runtime, ...Object.keys(pkg.devDependencies ?? {})]);
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const rootDev = new Set(Object.keys(rootPkg.devDependencies ?? {}));
  const problems = [];
  const srcDir = join(dir, 'src');
  if (!existsSync(srcDir)) return problems;
  for (const file of sourceFiles(srcDir)) {
    const isTest = /\.(test|spec|bench)\.|\/test-support\/|\/testing\//.test(file);
    // A browser page (src/**/page/) is bundled at build time: what it imports ships inside the bundle.
    const isBundled = /\/page\//.test(file);
    for (const spec of importsOf(file)) {
      // The exemption of test helpers holds only while shipped code never reaches them.
      if (SOCKETS_FROM_TRANSPORT.has(pkg.name) && !isTest && /(^|\/)test-support\//.test(spec)) {
        problems.push(`${relative(root, file)}: shipped code of ${pkg.name} imports the test helper '${spec}'`);
      }
      if (spec.startsWith('.') || spec.startsWith('/')) continue;
      const where = relative(root, file);
      if (builtins.has(spec) || builtins.has(packageName(spec))) {
        if (SANS_IO.has(pkg.name) && !isTest) problems.push(`${where}: ${pkg.name} must stay sans-IO but imports '${spec}'`);
        if (SOCKETS_FROM_TRANSPORT.has(pkg.name) && !isTest && SOCKET_MODULES.has(packageName(spec))) {
          problems.push(`${where}: ${pkg.name} takes its sockets and TLS from @ftpkit/transport but imports '${spec}'`);
        }
        continue;
      }
      const name = packageName(spec);
      if (name === pkg.name) continue;
      // A private package (bench, test helpers) is never installed by users: dev deps are enough.
      const declared = isTest ? all.has(name) || rootDev.has(name) : pkg.private || isBundled ? all.has(name) : runtime.has(name);
      if (!declared) problems.push(`${where}: imports '${spec}' but ${pkg.name} does not declare '${name}'`);
    }
  }
  return problems;
}

function checkGraph(dirs) {
  const problems = [];
  const graph = new Map();
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((d) => d.startsWith('@ftpkit/'));
    graph.set(pkg.name, { deps, isApp: dir.includes(`${join(root, 'apps')}/`) || dir.startsWith(join(root, 'bench')) });
  }
  for (const [name, { deps, isApp }] of graph) {
    for (const d of deps) if (APP_ONLY.has(d) && !isApp) problems.push(`${name} depends on ${d}: only apps may`);
  }
  const state = new Map();
  const visit = (name, path) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'active') { problems.push(`dependency cycle: ${[...path, name].join(' -> ')}`); return; }
    state.set(name, 'active');
    for (const d of graph.get(name)?.deps ?? []) visit(d, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of graph.keys()) visit(name, []);
  return problems;
}

const args = process.argv.slice(2);
const at = args.indexOf('--package');
const problems = at >= 0 ? checkPackage(resolve(args[at + 1] ?? '.')) : (() => {
  const dirs = workspacePackageDirs();
  return [...dirs.flatMap(checkPackage), ...checkGraph(dirs)];
})();
if (problems.length > 0) {
  for (const p of problems) console.error(`boundary: ${p}`);
  process.exit(1);
}
if (at < 0) console.log('boundaries ok: sans-IO packages import no node:*, the client no node:net/node:tls, declared deps only, no cycles');
