import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** A running s3rver child process with its own data directory. */
export interface S3rverProcess {
  readonly port: number;
  readonly endpoint: string;
  /** The data directory; objects are files under `<directory>/<bucket>/`. */
  readonly directory: string;
  readonly pid: number;
  /** Settings for a client that talks to this server (see S3-TESTING.md for the checksum ones). */
  readonly clientConfig: S3ClientConfig;
  createClient(): S3Client;
  /** Multipart uploads still open on the server (their folder names, i.e. upload ids). */
  pendingUploads(bucket: string): string[];
  /** Ends the child by its PID and removes its directory. */
  stop(): Promise<void>;
}

export interface StartS3rverOptions {
  buckets: string[];
  /** Serve UploadPartCopy (s3rver lacks it; the child implements it). Default true. */
  uploadPartCopy?: boolean;
  /** Serve ListMultipartUploads (s3rver lacks it; the child implements it). Default true. */
  listMultipartUploads?: boolean;
}

const childScript = fileURLToPath(new URL('./s3rver-child.cjs', import.meta.url));

/** Starts s3rver@3.7.1 in a child Node process on 127.0.0.1, port 0, in a fresh temp directory. */
export async function startS3rver(options: StartS3rverOptions): Promise<S3rverProcess> {
  const directory = mkdtempSync(join(tmpdir(), 'ftpkit-s3rver-'));
  const child = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      childScript,
      JSON.stringify({ directory, buckets: options.buckets, uploadPartCopy: options.uploadPartCopy ?? true, listMultipartUploads: options.listMultipartUploads ?? true }),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let port: number;
  try {
    port = await readPort(child);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
    throw err;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const clientConfig: S3ClientConfig = {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver stores aws-chunked bodies with their framing; only send checksums where required.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  const pid = child.pid ?? -1;
  return {
    port,
    endpoint,
    directory,
    pid,
    clientConfig,
    createClient: () => new S3Client(clientConfig),
    pendingUploads(bucket) {
      const dir = join(directory, bucket, '._S3rver_uploads');
      return existsSync(dir) ? readdirSync(dir) : [];
    },
    async stop() {
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      child.stdin?.end();
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      const timer = setTimeout(() => {
        if (pid > 0) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => fail(new Error('s3rver did not start within 20 s')), 20_000);
    function fail(err: Error): void {
      clearTimeout(timer);
      lines.close();
      reject(err);
    }
    child.once('exit', (code) => fail(new Error(`s3rver exited early with code ${code}`)));
    child.once('error', fail);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        const { port } = JSON.parse(line) as { port: number };
        resolve(port);
      } catch {
        reject(new Error(`unexpected s3rver output: ${line}`));
      }
    });
  });
}
