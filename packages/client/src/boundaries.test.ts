import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const script = resolve(import.meta.dirname, '../../../scripts/check-boundaries.mjs');
const packageDir = resolve(import.meta.dirname, '..');

let work = '';
beforeAll(async () => { work = await mkdtemp(join(tmpdir(), 'ftpkit-boundaries-')); });
afterAll(async () => { await rm(work, { recursive: true, force: true }); });

/** Runs the check on a package named @ftpkit/client made of `files`; the problems it prints. */
async function check(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(work, 'pkg-'));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@ftpkit/client', dependencies: { '@ftpkit/transport': '*' } }));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return await exec(process.execPath, [script, '--package', dir]).then(() => '', (err: { stderr: string }) => err.stderr);
}

describe('the boundary check (pnpm lint): @ftpkit/client = codec + transport', () => {
  it('passes on the client package as it is', async () => {
    await expect(exec(process.execPath, [script, '--package', packageDir])).resolves.toBeDefined();
  });

  it('refuses node:net and node:tls in shipped client code, type imports and dynamic imports too', async () => {
    const out = await check({
      'src/node/a.ts': "import { connect } from 'node:net';\n",
      'src/node/b.ts': "import type { TLSSocket } from 'node:tls';\n",
      'src/c.ts': "export const load = () => import('tls');\n",
      'src/node/fine.ts': "import { connectOut } from '@ftpkit/transport';\nimport { Readable } from 'node:stream';\n",
    });
    expect(out).toContain("src/node/a.ts: @ftpkit/client takes its sockets and TLS from @ftpkit/transport but imports 'node:net'");
    expect(out).toContain("src/node/b.ts: @ftpkit/client takes its sockets and TLS from @ftpkit/transport but imports 'node:tls'");
    expect(out).toContain("src/c.ts: @ftpkit/client takes its sockets and TLS from @ftpkit/transport but imports 'tls'");
    expect(out).not.toContain('fine.ts');
  });

  it('lets tests and test-support helpers open sockets, but not shipped code import those helpers', async () => {
    const out = await check({
      'src/test-support/server.ts': "import { createServer } from 'node:net';\n",
      'src/node/x.test.ts': "import { connect } from 'node:tls';\n",
    });
    expect(out).toBe('');
    const leak = await check({
      'src/test-support/server.ts': "import { createServer } from 'node:net';\n",
      'src/node/uses-helper.ts': "import { startScriptedServer } from '../test-support/server.js';\n",
    });
    expect(leak).toContain("src/node/uses-helper.ts: shipped code of @ftpkit/client imports the test helper '../test-support/server.js'");
  });
});
