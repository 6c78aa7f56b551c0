import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The systemd unit docs/production.md shows, checked by systemd's own parser.

const UNIT = join(import.meta.dirname, '..', '..', '..', 'docs', 'examples', 'ftpkit-server.service');

function systemdAnalyze(): boolean {
  if (spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0) return true;
  if (process.env.CI) throw new Error('systemd-analyze is missing: run `pnpm test:setup` to install the test programs (Debian package systemd)');
  return false;
}

/** The unit's `Key=value` lines of one section. */
function section(text: string, name: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  let inside = false;
  for (const line of text.split('\n')) {
    if (/^\[.*\]$/.test(line)) inside = line === `[${name}]`;
    const m = /^(\w+)=(.*)$/.exec(line);
    if (inside && m?.[1] !== undefined) keys.set(m[1], [...(keys.get(m[1]) ?? []), m[2] ?? '']);
  }
  return keys;
}

describe('docs/examples/ftpkit-server.service', () => {
  it('passes systemd-analyze verify without a warning', { timeout: 60_000 }, async () => {
    if (!systemdAnalyze()) return;
    let text = readFileSync(UNIT, 'utf8');
    // verify checks that the program exists: on a machine whose node is elsewhere, point it there.
    if (!existsSync('/usr/bin/node')) text = text.replace('/usr/bin/node ', `${process.execPath} `);
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-unit-'));
    const file = join(dir, 'ftpkit-server.service');
    writeFileSync(file, text);
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile('systemd-analyze', ['verify', file], { timeout: 50_000, encoding: 'utf8' }, (error, _stdout, stderr) => {
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stderr });
      });
    });
    // verify exits 0 for a mistyped key or value ("Unknown key ..., ignoring"): any output is a failure.
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('binds port 21 as an unprivileged user with only the served root writable', () => {
    const service = section(readFileSync(UNIT, 'utf8'), 'Service');
    expect(service.get('User')).toEqual(['ftpkit']);
    expect(service.get('AmbientCapabilities')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(service.get('CapabilityBoundingSet')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(service.get('NoNewPrivileges')).toEqual(['yes']);
    expect(service.get('ProtectSystem')).toEqual(['strict']);
    // V8 compiles code at run time: this option would kill node.
    expect(service.has('MemoryDenyWriteExecute')).toBe(false);
    const root = /FTPKIT_ROOT=(\S+)/.exec(service.get('Environment')?.join(' ') ?? '')?.[1];
    expect(root).toBeDefined();
    expect(service.get('ReadWritePaths')).toEqual([root]);
    expect(service.get('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
  });
});
