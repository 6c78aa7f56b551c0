import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startS3rver } from '@ftpkit/storage-s3/testing';
import { describe, expect, it } from 'vitest';
import { curl, programReady, s3Env, sha256File, startProgram } from './test-support/s3-program.js';

// Runs in every `pnpm test` on 16 MiB (a check that both paths move the bytes intact); for the
// reported figures, FTPKIT_S3_BENCH_MIB=256 pnpm vitest run apps/server/src/s3-throughput.test.ts
// after a build. STOR and RETR of one file through the built ftpkit-server on --storage s3 (curl), next to
// a direct SDK upload (lib-storage Upload, the adapter's 8 MiB x 4 parts) and GetObject of the same
// file against the same s3rver, alternating, best of two rounds. Prints MB/s and the server's peak RSS.

const MIB = 1024 * 1024;
const sizeMib = Number(process.env.FTPKIT_S3_BENCH_MIB ?? 16);
const BUCKET = 'ftpkit-bench';

function peakRssMib(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] === undefined ? Number.NaN : Number(m[1]) / 1024;
}

async function timed(run: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

describe('S3 throughput through ftpkit-server vs the SDK', () => {
  it(`moves ${sizeMib} MiB both ways and reports MB/s`, { timeout: 900_000 }, async () => {
    if (!programReady()) throw new Error('the benchmark needs the built program and curl');
    const work = mkdtempSync(join(tmpdir(), 'ftpkit-s3-bench-'));
    const s3 = await startS3rver({ buckets: [BUCKET] });
    const client = s3.createClient();
    const server = await startProgram(
      ['--storage', 's3', '--s3-bucket', BUCKET, '--s3-endpoint', s3.endpoint, '--s3-region', 'us-east-1', '--s3-force-path-style', '--user', 'u:p'],
      s3Env(),
    );
    try {
      const file = join(work, 'payload.bin');
      const out = createWriteStream(file);
      for (let i = 0; i < sizeMib; i++) if (!out.write(randomBytes(MIB))) await new Promise<void>((r) => out.once('drain', () => r()));
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      const bytes = statSync(file).size;
      const want = await sha256File(file);
      const url = `ftp://u:p@127.0.0.1:${server.port}`;
      const best = { ftpStor: Infinity, ftpRetr: Infinity, sdkPut: Infinity, sdkGet: Infinity };
      for (let round = 0; round < 2; round++) {
        best.sdkPut = Math.min(
          best.sdkPut,
          await timed(async () => {
            await new Upload({ client, params: { Bucket: BUCKET, Key: 'sdk.bin', Body: createReadStream(file) }, partSize: 8 * MIB, queueSize: 4 }).done();
          }),
        );
        best.ftpStor = Math.min(
          best.ftpStor,
          await timed(async () => {
            const r = await curl(['-T', file, `${url}/ftp.bin`], 600);
            if (r.code !== 0) throw new Error(`curl STOR failed: ${r.stderr}`);
          }),
        );
        const sdkBack = join(work, 'sdk.back');
        best.sdkGet = Math.min(
          best.sdkGet,
          await timed(async () => {
            const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'sdk.bin' }));
            await pipeline(got.Body as Readable, createWriteStream(sdkBack));
          }),
        );
        const ftpBack = join(work, 'ftp.back');
        best.ftpRetr = Math.min(
          best.ftpRetr,
          await timed(async () => {
            const r = await curl([`${url}/ftp.bin`, '-o', ftpBack], 600);
            if (r.code !== 0) throw new Error(`curl RETR failed: ${r.stderr}`);
          }),
        );
        expect(await sha256File(sdkBack)).toBe(want);
        expect(await sha256File(ftpBack)).toBe(want);
        rmSync(sdkBack);
        rmSync(ftpBack);
      }
      const mbps = (seconds: number): string => `${(bytes / 1e6 / seconds).toFixed(1)} MB/s (${seconds.toFixed(2)} s)`;
      const report = [
        `S3 throughput, ${sizeMib} MiB, s3rver on 127.0.0.1, best of 2 (alternating):`,
        `  upload   ftpkit-server STOR (curl): ${mbps(best.ftpStor)}   SDK Upload 8 MiB x 4: ${mbps(best.sdkPut)}`,
        `  download ftpkit-server RETR (curl): ${mbps(best.ftpRetr)}   SDK GetObject:        ${mbps(best.sdkGet)}`,
        `  ftpkit-server peak RSS (VmHWM): ${peakRssMib(server.child.pid).toFixed(0)} MiB`,
      ].join('\n');
      console.log(report);
      writeFileSync(join(tmpdir(), 'ftpkit-s3-throughput.txt'), `${report}\n`);
    } finally {
      await server.stop();
      client.destroy();
      await s3.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
