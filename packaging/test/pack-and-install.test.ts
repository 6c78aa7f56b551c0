import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What npm users get: every public package packed by pnpm (workspace:* rewritten to versions),
// installed with plain npm into a project that has never seen the workspace, and used there.

const repo = resolve(import.meta.dirname, '../..');
const fixtures = resolve(import.meta.dirname, '../fixtures');
const TYPESCRIPT = 'typescript@5.9.3';
const TYPES_NODE = '@types/node@20.19.43';

interface PackageInfo {
  dir: string;
  name: string;
  version: string;
  private?: boolean;
  bin?: Record<string, string>;
  exports?: Record<string, unknown>;
}

function publicPackages(): PackageInfo[] {
  const out: PackageInfo[] = [];
  for (const group of ['packages', 'apps']) {
    for (const dir of readdirSync(join(repo, group)).sort()) {
      const file = join(repo, group, dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as Omit<PackageInfo, 'dir'>;
      if (!pkg.private) out.push({ ...pkg, dir: join(repo, group, dir) });
    }
  }
  return out;
}

/** The environment without what pnpm or npm put there for the outer run (it would steer the inner npm). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|INIT_CWD$|NODE_OPTIONS$|VITEST)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (bounded by `timeoutMs`). */
function run(cmd: string, args: string[], cwd: string, opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

function expectOk(result: RunResult, what: string): void {
  const how = result.code === null ? 'was killed (time limit)' : `exited ${result.code}`;
  expect(result.code, `${what} ${how}:\n${result.stdout}\n${result.stderr}`).toBe(0);
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const packages = publicPackages();
let work = '';
let project = '';
let cjsProject = '';

/**
 * Every specifier a user can load without optional peers: each public package and its subpath exports,
 * except `/testing` (it needs its optional peer: vitest, s3rver; type-checked by the consumers instead).
 */
function entryPoints(): string[] {
  return packages.flatMap((pkg) =>
    Object.keys(pkg.exports ?? { '.': true })
      .filter((key) => key !== './package.json' && key !== './testing')
      .map((key) => (key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`)),
  );
}

beforeAll(async () => {
  for (const pkg of packages) {
    expect(existsSync(join(pkg.dir, 'dist')), `${pkg.name} has no dist/: run \`pnpm build\` first (\`pnpm test\` does)`).toBe(true);
  }
  work = await mkdtemp(join(tmpdir(), 'ftpkit-pack-'));
  const tarballs = join(work, 'tarballs');
  project = join(work, 'project');
  await mkdir(tarballs);
  await mkdir(project);
  // Three packs at a time: eleven pnpm processes at once starve a loaded 2-core machine.
  const queue = [...packages];
  await Promise.all(
    [0, 1, 2].map(async () => {
      for (let pkg = queue.shift(); pkg; pkg = queue.shift()) {
        expectOk(await run('pnpm', ['pack', '--pack-destination', tarballs], pkg.dir, { timeoutMs: 120_000 }), `pnpm pack ${pkg.name}`);
      }
    }),
  );
  const files = (await readdir(tarballs)).filter((f) => f.endsWith('.tgz')).map((f) => join(tarballs, f));
  expect(files).toHaveLength(packages.length);

  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'ftpkit-consumer', private: true, type: 'module' }, null, 2));
  for (const entry of await readdir(fixtures, { withFileTypes: true })) {
    if (entry.isFile()) await copyFile(join(fixtures, entry.name), join(project, entry.name));
  }
  // One npm install for every tarball: the internal versions pnpm wrote must resolve among them.
  expectOk(
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...files, TYPESCRIPT, TYPES_NODE], project, { timeoutMs: 240_000 }),
    'npm install of the tarballs',
  );

  // The same tarballs in a CommonJS project, as `npm init -y` makes one.
  cjsProject = join(work, 'commonjs-project');
  await mkdir(cjsProject);
  await writeFile(join(cjsProject, 'package.json'), JSON.stringify({ name: 'ftpkit-cjs-consumer', private: true, type: 'commonjs' }, null, 2));
  for (const file of await readdir(join(fixtures, 'commonjs'))) await copyFile(join(fixtures, 'commonjs', file), join(cjsProject, file));
  expectOk(
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...files, TYPESCRIPT, TYPES_NODE], cjsProject, { timeoutMs: 240_000 }),
    'npm install of the tarballs (CommonJS project)',
  );

  // @ftpkit/codec alone, in a project of its own.
  await mkdir(join(work, 'codec-only'));
  await writeFile(join(work, 'codec-only', 'package.json'), JSON.stringify({ name: 'codec-only', private: true, type: 'module' }));
  await copyFile(join(fixtures, 'codec-alone.mjs'), join(work, 'codec-only', 'codec-alone.mjs'));
  const codecTarball = files.find((f) => /ftpkit-codec-[^/]*\.tgz$/.test(f));
  expect(codecTarball).toBeDefined();
  expectOk(await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', codecTarball ?? ''], join(work, 'codec-only')), 'npm install codec');
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('packed tarballs installed with plain npm', () => {
  it('keep tests, sources and fixtures out of every tarball', async () => {
    for (const file of await readdir(join(work, 'tarballs'))) {
      const result = await run('tar', ['-tzf', join(work, 'tarballs', file)], work);
      expectOk(result, `tar -tzf ${file}`);
      const paths = result.stdout.split('\n').filter(Boolean);
      expect(paths, file).toContain('package/package.json');
      expect(paths.filter((p) => /\.test\.|^package\/src\/|__fixtures__|test-support|\.tsbuildinfo$/.test(p)), file).toEqual([]);
    }
  });

  it('run an embedded @ftpkit/server + @ftpkit/storage-memory that @ftpkit/client downloads from (sha256 checked)', { timeout: 120_000 }, async () => {
    const result = await run('node', ['embedded-server-client.mjs'], project);
    expectOk(result, 'embedded server + client');
    expect(result.stdout).toMatch(/^embedded ok [0-9a-f]{64}$/m);
  });

  it('require() every public package from a "type": "commonjs" project and round-trip a file through createFtpServer + FtpClient', { timeout: 120_000 }, async () => {
    const specifiers = entryPoints();
    for (const pkg of packages) expect(specifiers).toContain(pkg.name);
    const result = await run('node', ['require-round-trip.cjs', ...specifiers], cjsProject);
    expectOk(result, 'require() from CommonJS');
    expect(result.stdout).toContain(`required ${specifiers.length} packages`);
    expect(result.stdout).toMatch(/^commonjs ok [0-9a-f]{64}$/m);
  });

  it('type-check a CommonJS consumer of every public package (module nodenext)', { timeout: 240_000 }, async () => {
    expectOk(await run(join(cjsProject, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], cjsProject, { timeoutMs: 220_000 }), 'tsc CommonJS consumer');
  });

  it('use @ftpkit/codec alone (no other package installed)', async () => {
    const installed = await readdir(join(work, 'codec-only', 'node_modules', '@ftpkit'));
    expect(installed).toEqual(['codec']);
    const result = await run('node', ['codec-alone.mjs'], join(work, 'codec-only'));
    expectOk(result, 'codec alone');
    expect(result.stdout.trim()).toBe('codec ok');
  });

  it('install the ftpkit-server and ftpkit bins, which answer --version', { timeout: 120_000 }, async () => {
    for (const [bin, pkgName] of [['ftpkit-server', '@ftpkit/ftpkit-server'], ['ftpkit', '@ftpkit/cli']] as const) {
      const pkg = packages.find((p) => p.name === pkgName);
      expect(pkg?.bin?.[bin], `${pkgName} declares bin ${bin}`).toBeDefined();
      const result = await run(join(project, 'node_modules', '.bin', bin), ['--version'], project);
      expectOk(result, `${bin} --version`);
      expect(result.stdout.trim()).toBe(pkg?.version);
    }
  });

  it('transfer a file with the installed bins: ftpkit put then ftpkit get against ftpkit-server --storage memory', { timeout: 120_000 }, async () => {
    const server: ChildProcess = spawn(
      join(project, 'node_modules', '.bin', 'ftpkit-server'),
      ['--port', '0', '--host', '127.0.0.1', '--storage', 'memory', '--user', 'alice:secret', '--log-format', 'json', '--log-level', 'warn'],
      { cwd: project, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let banner = '';
      const port = await new Promise<number>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`ftpkit-server did not start: ${banner}`)), 60_000);
        server.stdout?.on('data', (d: Buffer) => {
          banner += d.toString();
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(banner);
          if (m) {
            clearTimeout(timer);
            done(Number(m[1]));
          }
        });
        server.stderr?.on('data', (d: Buffer) => (banner += d.toString()));
        server.on('exit', (code) => fail(new Error(`ftpkit-server exited ${code}: ${banner}`)));
      });
      const payload = randomBytes(1024 * 1024 + 3);
      await writeFile(join(project, 'upload.bin'), payload);
      const env = { FTPKIT_PASSWORD: 'secret' };
      const url = `ftp://alice@127.0.0.1:${port}/upload.bin`;
      expectOk(await run(join(project, 'node_modules', '.bin', 'ftpkit'), ['put', 'upload.bin', url, '-q'], project, { env }), 'ftpkit put');
      expectOk(await run(join(project, 'node_modules', '.bin', 'ftpkit'), ['get', url, 'download.bin', '-q'], project, { env }), 'ftpkit get');
      expect(sha256(await readFile(join(project, 'download.bin')))).toBe(sha256(payload));
    } finally {
      const exited = new Promise((done) => server.once('exit', done));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 15_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    expect(server.exitCode).toBe(0);
  });

  it('type-check a consumer importing every public package (moduleResolution node16 and bundler)', { timeout: 240_000 }, async () => {
    const results = await Promise.all(
      ['node16', 'bundler'].map(async (resolution) => ({
        resolution,
        result: await run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', `tsconfig.${resolution}.json`], project, { timeoutMs: 220_000 }),
      })),
    );
    for (const { resolution, result } of results) expectOk(result, `tsc ${resolution}`);
  });

  it('the consumers import every public package', async () => {
    for (const file of ['consumer.ts', 'commonjs/consumer.ts']) {
      const consumer = await readFile(join(fixtures, file), 'utf8');
      for (const pkg of packages) expect(consumer, `${file}: ${pkg.name}`).toContain(`from '${pkg.name}'`);
    }
  });
});
