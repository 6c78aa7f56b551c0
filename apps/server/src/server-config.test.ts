import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { resolveConfig } from './server-config.js';

const dir = mkdtempSync(join(tmpdir(), 'ftpkit-cfg-'));

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('resolveConfig', () => {
  it('has the documented defaults', () => {
    const c = resolveConfig({}, {}, dir);
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 2121,
      root: join(dir, 'ftp-data'),
      storage: 'local',
      users: [],
      defaultUser: true,
      anonymous: false,
      anonymousWrite: false,
      pasvPorts: undefined,
      pasvAddress: undefined,
      uploadMode: 'resumable',
      logLevel: 'info',
    });
  });

  it('takes flags over FTPKIT_* over the config file', () => {
    const file = join(dir, 'c.yaml');
    mkdirSync(join(dir, 'data'));
    writeFileSync(file, 'port: 2000\nhost: 0.0.0.0\nroot: data\nuploadMode: atomic\npasvPorts: [40000, 40010]\nlimits:\n  maxConnections: 5\n');
    const c = resolveConfig({ config: file, port: '3000' }, { FTPKIT_PORT: '2500', FTPKIT_HOST: '127.0.0.2' }, '/');
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.2');
    expect(c.root).toBe(join(dir, 'data'));
    expect(c.uploadMode).toBe('atomic');
    expect(c.pasvPorts).toEqual([40000, 40010]);
    expect(c.limits).toEqual({ maxConnections: 5 });
    const json = join(dir, 'c.json');
    writeFileSync(json, JSON.stringify({ user: ['a:b', 'c:d:e'], anonymous: true }));
    const j = resolveConfig({}, { FTPKIT_CONFIG: json }, '/');
    expect(j.users.map((u) => [u.name, u.password])).toEqual([['a', 'b'], ['c', 'd:e']]);
    expect(j.anonymous).toBe(true);
    expect(j.defaultUser).toBe(false);
    const e = resolveConfig({}, { FTPKIT_USER: 'x:1 y:2', FTPKIT_ANONYMOUS_WRITE: 'yes', FTPKIT_PASV_PORTS: '50000-50001' }, '/');
    expect(e.users.map((u) => u.name)).toEqual(['x', 'y']);
    expect(e.anonymousWrite).toBe(true);
    expect(e.pasvPorts).toEqual([50000, 50001]);
  });

  it('names the flag, variable or key at fault', () => {
    expect(errorOf(() => resolveConfig({ port: '70000' }, {}, dir)).key).toBe('--port');
    expect(errorOf(() => resolveConfig({}, { FTPKIT_STORAGE: 'ftp' }, dir)).key).toBe('FTPKIT_STORAGE');
    expect(errorOf(() => resolveConfig({ pasvPorts: '5000-4000' }, {}, dir)).key).toBe('--pasv-ports');
    expect(errorOf(() => resolveConfig({ pasvPorts: '80-90' }, {}, dir)).key).toBe('--pasv-ports');
    expect(errorOf(() => resolveConfig({ user: ['nocolon'] }, {}, dir)).key).toBe('--user');
    expect(errorOf(() => resolveConfig({ uploadMode: 'fast' }, {}, dir)).message).toContain('resumable, atomic');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'prot: 2121\n');
    expect(errorOf(() => resolveConfig({ config: bad }, {}, dir)).key).toBe('config key "prot"');
    writeFileSync(bad, 'port: nope\n');
    expect(errorOf(() => resolveConfig({ config: bad }, {}, dir)).key).toBe('config key "port"');
    writeFileSync(bad, 'limits: { maxConections: 1 }\n');
    expect(errorOf(() => resolveConfig({ config: bad }, {}, dir)).key).toBe('config key "limits.maxConections"');
    expect(errorOf(() => resolveConfig({ config: join(dir, 'missing.yaml') }, {}, dir)).key).toBe('--config');
  });

  it('loads a users file (YAML) with hashes, roots and read-only flags', () => {
    const users = join(dir, 'users.yaml');
    writeFileSync(users, 'users:\n  - name: bob\n    password: "scrypt$16384$8$1$c2FsdA==$a2V5"\n    root: bob\n    readOnly: true\n');
    mkdirSync(join(dir, 'srv'));
    const c = resolveConfig({ users, root: join(dir, 'srv') }, {}, dir);
    expect(c.users).toEqual([{ name: 'bob', passwordHash: 'scrypt$16384$8$1$c2FsdA==$a2V5', root: join(dir, 'srv', 'bob'), readOnly: true }]);
    writeFileSync(users, '- name: eve\n  password: plain\n');
    expect(errorOf(() => resolveConfig({ users }, {}, dir)).key).toBe('--users (users[0]).password');
  });

  it('reads every per-user setting of a users file, deny upper-cased, and names the files for SIGHUP', () => {
    const users = join(dir, 'users-all.yaml');
    const hash = 'scrypt$16384$8$1$c2FsdA==$a2V5';
    writeFileSync(
      users,
      `users:\n  - name: carol\n    passwordHash: "${hash}"\n    quotaBytes: 0\n    downloadBytesPerSecond: 1000\n    uploadBytesPerSecond: 0\n    deny: [dele, " rmd "]\n    maxSessions: 3\n`,
    );
    const c = resolveConfig({ users }, {}, dir);
    expect(c.users).toEqual([
      { name: 'carol', passwordHash: hash, readOnly: false, quotaBytes: 0, downloadBytesPerSecond: 1000, uploadBytesPerSecond: 0, deny: ['DELE', 'RMD'], maxSessions: 3 },
    ]);
    expect(c.usersFiles).toEqual([users]);
    expect(c.defaultUser).toBe(false);
    writeFileSync(users, `users:\n  - name: carol\n    password: "${hash}"\n    passwordHash: "${hash}"\n`);
    expect(errorOf(() => resolveConfig({ users }, {}, dir)).message).toMatch(/users\[0\]\)\.passwordHash: user "carol": give password or passwordHash, not both/);
    writeFileSync(users, `users:\n  - name: carol\n    password: "${hash}"\n    deny: DELE\n`);
    expect(errorOf(() => resolveConfig({ users }, {}, dir)).key).toBe('--users (users[0]).deny');
    writeFileSync(users, `users:\n  - name: carol\n    password: "${hash}"\n    maxSessions: 1.5\n`);
    expect(errorOf(() => resolveConfig({ users }, {}, dir)).key).toBe('--users (users[0]).maxSessions');
  });
});
