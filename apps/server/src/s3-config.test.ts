import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { resolveConfig } from './server-config.js';

const dir = mkdtempSync(join(tmpdir(), 'ftpkit-s3cfg-'));
const HASH = 'scrypt$16384$8$1$c2FsdA==$a2V5';

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('resolveConfig: --storage s3', () => {
  it('reads every --s3-* setting from flags, FTPKIT_S3_* and the config file', () => {
    const c = resolveConfig(
      { storage: 's3', s3Bucket: 'files', s3Prefix: '/srv/ftp', s3Endpoint: 'http://127.0.0.1:9000', s3Region: 'eu-west-1', s3ForcePathStyle: true, s3Checksum: 'when-required', s3StaleUploadMs: '3600000' },
      {},
      dir,
    );
    expect(c.storage).toBe('s3');
    expect(c.s3).toEqual({ bucket: 'files', prefix: 'srv/ftp/', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', forcePathStyle: true, checksum: 'when-required', staleUploadMs: 3_600_000 });
    const e = resolveConfig({}, { FTPKIT_STORAGE: 's3', FTPKIT_S3_BUCKET: 'from-env', FTPKIT_S3_FORCE_PATH_STYLE: 'yes' }, dir);
    expect(e.s3).toEqual({ bucket: 'from-env', prefix: '', endpoint: undefined, region: undefined, forcePathStyle: true, checksum: undefined, staleUploadMs: 86_400_000 });
    const file = join(dir, 's3.yaml');
    writeFileSync(file, 'storage: s3\ns3Bucket: from-file\ns3Prefix: a/b/\ns3Region: us-east-1\n');
    const f = resolveConfig({ config: file, s3Bucket: 'flag-wins' }, {}, dir);
    expect(f.s3).toMatchObject({ bucket: 'flag-wins', prefix: 'a/b/', region: 'us-east-1' });
    expect(resolveConfig({}, {}, dir).s3).toBeUndefined();
  });

  it('names the setting at fault', () => {
    expect(errorOf(() => resolveConfig({ storage: 's3' }, {}, dir)).key).toBe('--s3-bucket');
    expect(errorOf(() => resolveConfig({ storage: 's3', s3Bucket: 'Not_A_Bucket' }, {}, dir)).key).toBe('--s3-bucket');
    expect(errorOf(() => resolveConfig({}, { FTPKIT_STORAGE: 's3', FTPKIT_S3_BUCKET: 'ab' }, dir)).key).toBe('FTPKIT_S3_BUCKET');
    expect(errorOf(() => resolveConfig({ storage: 's3', s3Bucket: 'files', s3Endpoint: 'ftp://x' }, {}, dir)).key).toBe('--s3-endpoint');
    expect(errorOf(() => resolveConfig({ storage: 's3', s3Bucket: 'files', s3Prefix: 'a//b' }, {}, dir)).key).toBe('--s3-prefix');
    expect(errorOf(() => resolveConfig({ storage: 's3', s3Bucket: 'files', s3Prefix: 'a/../b' }, {}, dir)).key).toBe('--s3-prefix');
    expect(errorOf(() => resolveConfig({ storage: 's3', s3Bucket: 'files', s3StaleUploadMs: 'soon' }, {}, dir)).key).toBe('--s3-stale-upload-ms');
    expect(errorOf(() => resolveConfig({ s3StaleUploadMs: '0' }, {}, dir)).key).toBe('--s3-stale-upload-ms');
    expect(errorOf(() => resolveConfig({ storage: 's3', s3Bucket: 'files', s3Checksum: 'always' }, {}, dir)).message).toContain('when-supported, when-required');
    expect(errorOf(() => resolveConfig({ s3Bucket: 'files' }, {}, dir)).message).toBe('--s3-bucket: needs --storage s3');
    expect(errorOf(() => resolveConfig({ storage: 'memory' }, { FTPKIT_S3_REGION: 'x' }, dir)).key).toBe('FTPKIT_S3_REGION');
  });

  it('keeps s3:// roots of a users file as written, and refuses them without --storage s3', () => {
    const users = join(dir, 'users.yaml');
    writeFileSync(users, `- name: alice\n  password: "${HASH}"\n  root: s3://other-bucket/homes/alice/\n- name: bob\n  password: "${HASH}"\n  root: bob\n`);
    const c = resolveConfig({ storage: 's3', s3Bucket: 'files', users, root: join(dir, 'srv') }, {}, dir);
    expect(c.users.map((u) => u.root)).toEqual(['s3://other-bucket/homes/alice/', join(dir, 'srv', 'bob')]);
    expect(errorOf(() => resolveConfig({ users }, {}, dir)).message).toBe('--users: user "alice" has an s3:// root, which needs --storage s3');
    writeFileSync(users, `- name: eve\n  password: "${HASH}"\n  root: s3://Bad_Bucket/x/\n`);
    expect(errorOf(() => resolveConfig({ storage: 's3', s3Bucket: 'files', users }, {}, dir)).key).toBe('--users (users[0]).root');
  });
});
