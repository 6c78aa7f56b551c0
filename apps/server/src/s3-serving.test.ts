import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli, hasAwsCli, startS3rver, type S3rverProcess } from '@ftpkit/storage-s3/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from './password-hash.js';
import { curl, programReady, runProgram, s3Env, sha256, sha256File, startProgram, type ProgramProcess } from './test-support/s3-program.js';

// The built ftpkit-server on --storage s3 against s3rver (started here, see S3-TESTING.md), driven
// by curl, with what landed in the bucket checked from outside through the aws CLI.

const MAIN_BUCKET = 'ftpkit-main';
const USERS_BUCKET = 'ftpkit-users';

let s3: S3rverProcess | undefined;
let work = '';
let ready = false;
let aws = false;

beforeAll(async () => {
  ready = programReady();
  if (!ready) return;
  aws = await hasAwsCli();
  if (!aws && process.env.CI) throw new Error('the aws CLI is missing (pip install awscli)');
  s3 = await startS3rver({ buckets: [MAIN_BUCKET, USERS_BUCKET] });
  work = mkdtempSync(join(tmpdir(), 'ftpkit-s3-serving-'));
});

afterAll(async () => {
  await s3?.stop();
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

function s3Args(bucket: string, ...extra: string[]): string[] {
  if (s3 === undefined) throw new Error('s3rver not started');
  return ['--storage', 's3', '--s3-bucket', bucket, '--s3-endpoint', s3.endpoint, '--s3-region', 'us-east-1', '--s3-force-path-style', ...extra];
}

async function stopAll(...programs: (ProgramProcess | undefined)[]): Promise<void> {
  const codes = await Promise.all(programs.map((p) => p?.stop()));
  for (const code of codes) if (code !== undefined) expect(code).toBe(0);
}

/** Keys under `prefix` as the aws CLI sees them: key -> size. */
async function bucketKeys(bucket: string, prefix = ''): Promise<Map<string, number>> {
  if (s3 === undefined) throw new Error('s3rver not started');
  const out = await awsCli(s3.endpoint, ['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', prefix, '--output', 'json']);
  const parsed = (out.trim() === '' ? {} : JSON.parse(out)) as { Contents?: { Key: string; Size: number }[] };
  return new Map((parsed.Contents ?? []).map((c) => [c.Key, c.Size]));
}

/** The object's bytes fetched by the aws CLI, hashed. */
async function bucketObjectSha(bucket: string, key: string): Promise<string> {
  if (s3 === undefined) throw new Error('s3rver not started');
  const file = join(work, `aws-get-${randomBytes(4).toString('hex')}`);
  await awsCli(s3.endpoint, ['s3', 'cp', `s3://${bucket}/${key}`, file, '--only-show-errors']);
  return sha256File(file);
}

describe('ftpkit-server --storage s3 (built program, s3rver)', () => {
  it('STOR and RETR through curl land the same bytes in the bucket (checked with the aws CLI), SDK default checksums', async () => {
    if (!ready) return;
    const server = await startProgram([...s3Args(MAIN_BUCKET, '--s3-prefix', 'single'), '--user', 'u:p'], s3Env());
    try {
      expect(server.stdout()).toContain(`serving s3://${MAIN_BUCKET}/single/`);
      // 9 MiB + 1: above the adapter's 8 MiB part size, so a real multipart upload.
      const file = join(work, 'single.bin');
      writeFileSync(file, randomBytes(9 * 1024 * 1024 + 1));
      const want = await sha256File(file);
      const url = `ftp://u:p@127.0.0.1:${server.port}`;
      expect((await curl(['-T', file, `${url}/dir%20one/up.bin`, '--ftp-create-dirs'])).code).toBe(0);
      const back = join(work, 'single.back');
      expect((await curl([`${url}/dir%20one/up.bin`, '-o', back])).code).toBe(0);
      expect(await sha256File(back)).toBe(want);
      // Resume a download from the middle (a ranged GetObject).
      const tail = join(work, 'single.tail');
      expect((await curl(['-C', String(5 * 1024 * 1024), `${url}/dir%20one/up.bin`, '-o', tail])).code).toBe(0);
      if (aws) {
        const keys = await bucketKeys(MAIN_BUCKET, 'single/');
        expect(keys.get('single/dir one/up.bin')).toBe(9 * 1024 * 1024 + 1);
        expect(await bucketObjectSha(MAIN_BUCKET, 'single/dir one/up.bin')).toBe(want);
      }
    } finally {
      await stopAll(server);
    }
  });

  it('scales out: two instances share one bucket; an upload through one is listed, downloaded and renamed through the other', async () => {
    if (!ready) return;
    // One instance gets the checksum setting as a flag, the other through the SDK's own variables.
    const a = await startProgram([...s3Args(MAIN_BUCKET, '--s3-prefix', 'shared/', '--s3-checksum', 'when-required'), '--user', 'u:p'], s3Env());
    let b: ProgramProcess | undefined;
    try {
      b = await startProgram(
        [...s3Args(MAIN_BUCKET), '--user', 'u:p'],
        s3Env({ FTPKIT_S3_PREFIX: 'shared', AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED', AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED' }),
      );
      expect(a.port).not.toBe(b.port);
      const viaA = `ftp://u:p@127.0.0.1:${a.port}`;
      const viaB = `ftp://u:p@127.0.0.1:${b.port}`;
      const file = join(work, 'shared.bin');
      writeFileSync(file, randomBytes(3 * 1024 * 1024 + 17));
      const want = await sha256File(file);

      expect((await curl(['-T', file, `${viaA}/inbox/report.bin`, '--ftp-create-dirs'])).code).toBe(0);
      const listing = await curl(['--list-only', `${viaB}/inbox/`]);
      expect(listing.code).toBe(0);
      expect(listing.stdout.split(/\r?\n/)).toContain('report.bin');
      const size = await curl(['-Q', 'TYPE I', '-Q', 'SIZE inbox/report.bin', `${viaB}/`, '-v', '--list-only']);
      expect(size.stderr).toContain(`213 ${3 * 1024 * 1024 + 17}`);

      const back = join(work, 'shared.back');
      expect((await curl([`${viaB}/inbox/report.bin`, '-o', back])).code).toBe(0);
      expect(await sha256File(back)).toBe(want);

      const renamed = await curl(['-Q', 'RNFR inbox/report.bin', '-Q', 'RNTO inbox/report-final.bin', '--list-only', `${viaB}/inbox/`]);
      expect(renamed.code).toBe(0);
      expect(renamed.stdout.split(/\r?\n/)).toContain('report-final.bin');
      expect(renamed.stdout.split(/\r?\n/)).not.toContain('report.bin');
      // A sees B's rename at once: no instance keeps its own picture of the bucket.
      const listA = await curl(['--list-only', `${viaA}/inbox/`]);
      expect(listA.stdout.split(/\r?\n/).filter(Boolean)).toEqual(['report-final.bin']);
      const back2 = join(work, 'shared.back2');
      expect((await curl([`${viaA}/inbox/report-final.bin`, '-o', back2])).code).toBe(0);
      expect(await sha256File(back2)).toBe(want);
      if (aws) {
        const keys = [...(await bucketKeys(MAIN_BUCKET, 'shared/')).keys()];
        expect(keys.filter((k) => !k.endsWith('/'))).toEqual(['shared/inbox/report-final.bin']);
        expect(await bucketObjectSha(MAIN_BUCKET, 'shared/inbox/report-final.bin')).toBe(want);
      }
    } finally {
      await stopAll(a, b);
    }
  });

  it('serves per-user prefixes from a users file: root s3://bucket/prefix/, and a plain root below --s3-prefix', async () => {
    if (!ready) return;
    const users = join(work, 'users.yaml');
    const hash = await hashPassword('pw');
    writeFileSync(
      users,
      [
        'users:',
        '  - name: alice',
        `    password: "${hash}"`,
        `    root: s3://${USERS_BUCKET}/homes/alice/`,
        '  - name: bob',
        `    password: "${hash}"`,
        '    root: team/bob',
        '  - name: carol',
        `    password: "${hash}"`,
        '',
      ].join('\n'),
    );
    const server = await startProgram([...s3Args(MAIN_BUCKET, '--s3-prefix', 'base/'), '--users', users], s3Env());
    try {
      const at = (user: string): string => `ftp://${user}:pw@127.0.0.1:${server.port}`;
      const fileA = join(work, 'alice.txt');
      const fileB = join(work, 'bob.txt');
      const fileC = join(work, 'carol.txt');
      writeFileSync(fileA, 'alice data\n');
      writeFileSync(fileB, 'bob data\n');
      writeFileSync(fileC, 'carol data\n');
      expect((await curl(['-T', fileA, `${at('alice')}/a.txt`])).code).toBe(0);
      expect((await curl(['-T', fileB, `${at('bob')}/b.txt`])).code).toBe(0);
      expect((await curl(['-T', fileC, `${at('carol')}/c.txt`])).code).toBe(0);

      // Each user sees only their own prefix.
      expect((await curl(['--list-only', `${at('alice')}/`])).stdout.split(/\r?\n/).filter(Boolean)).toEqual(['a.txt']);
      expect((await curl(['--list-only', `${at('bob')}/`])).stdout.split(/\r?\n/).filter(Boolean)).toEqual(['b.txt']);
      // carol has no root: the whole --s3-prefix, bob's tree included.
      expect((await curl(['--list-only', `${at('carol')}/`])).stdout.split(/\r?\n/).filter(Boolean).sort()).toEqual(['c.txt', 'team']);
      expect((await curl([`${at('alice')}/a.txt`])).stdout).toBe('alice data\n');
      expect((await curl([`${at('bob')}/b.txt`])).stdout).toBe('bob data\n');
      expect((await curl([`${at('alice')}/b.txt`])).code).not.toBe(0);

      if (aws) {
        expect([...(await bucketKeys(USERS_BUCKET)).keys()]).toEqual(['homes/alice/a.txt']);
        expect([...(await bucketKeys(MAIN_BUCKET, 'base/')).keys()].sort()).toEqual(['base/c.txt', 'base/team/bob/b.txt']);
        expect(await bucketObjectSha(USERS_BUCKET, 'homes/alice/a.txt')).toBe(sha256('alice data\n'));
      }
    } finally {
      await stopAll(server);
    }
  });

  it('ends with one line naming the setting and exit status 2 on bad S3 settings', async () => {
    if (!ready) return;
    const env = s3Env();
    const missing = await runProgram(['--port', '0', '--storage', 's3'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('ftpkit-server: --s3-bucket: is required with --storage s3 (or FTPKIT_S3_BUCKET, config key "s3Bucket")\n');
    expect(missing.stdout).toBe('');

    const viaEnv = await runProgram(['--port', '0'], { ...env, FTPKIT_STORAGE: 's3', FTPKIT_S3_BUCKET: 'Bad_Bucket' });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toMatch(/^ftpkit-server: FTPKIT_S3_BUCKET: must be a bucket name[^\n]*\n$/);

    const absent = await runProgram(['--port', '0', ...s3Args('no-such-bucket')], env);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/^ftpkit-server: --s3-bucket: bucket "no-such-bucket" does not exist at http:\/\/127\.0\.0\.1:\d+\n$/);

    // Found only when the bucket is asked: still named as it was given, here in the environment.
    const absentViaEnv = await runProgram(['--port', '0', ...s3Args('x').filter((a, i, all) => a !== '--s3-bucket' && all[i - 1] !== '--s3-bucket')], {
      ...env,
      FTPKIT_S3_BUCKET: 'no-such-bucket',
    });
    expect(absentViaEnv.code).toBe(2);
    expect(absentViaEnv.stderr).toMatch(/^ftpkit-server: FTPKIT_S3_BUCKET: bucket "no-such-bucket" does not exist at http:\/\/127\.0\.0\.1:\d+\n$/);

    const stray = await runProgram(['--port', '0', '--s3-bucket', MAIN_BUCKET], env);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toBe('ftpkit-server: --s3-bucket: needs --storage s3\n');
  });
});
