import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultMaxConnections, openFileLimit } from './machine-limits.js';

const GiB = 1024 ** 3;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function limitsFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ftpkit-limits-'));
  dirs.push(dir);
  const file = join(dir, 'limits');
  writeFileSync(file, text);
  return file;
}

describe('defaultMaxConnections', () => {
  it('is bounded by open files (4 per connection) or by a quarter of memory at 1 MiB each', () => {
    expect(defaultMaxConnections(20_000, 24 * GiB)).toBe(4984);
    expect(defaultMaxConnections(524_288, 8 * GiB)).toBe(2048);
    expect(defaultMaxConnections(1024, 8 * GiB)).toBe(240);
  });

  it('stays within 16..10 000', () => {
    expect(defaultMaxConnections(1_048_576, 512 * GiB)).toBe(10_000);
    expect(defaultMaxConnections(64, 8 * GiB)).toBe(16);
  });

  it('for this process is enough for a burst of 200 clients', () => {
    expect(defaultMaxConnections()).toBeGreaterThanOrEqual(200);
  });
});

describe('openFileLimit', () => {
  it('reads the soft limit of Max open files', () => {
    const file = limitsFile('Limit                     Soft Limit           Hard Limit           Units     \nMax open files            20000                524288               files     \n');
    expect(openFileLimit(file)).toBe(20_000);
  });

  it('takes unlimited as enough for the largest default, and a missing file as 1024', () => {
    expect(defaultMaxConnections(openFileLimit(limitsFile('Max open files            unlimited            unlimited            files\n')), 512 * GiB)).toBe(10_000);
    expect(openFileLimit('/nonexistent/limits')).toBe(1024);
  });
});
