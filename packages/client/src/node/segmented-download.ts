import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { FtpLocalError, FtpUnsupportedError, FtpVerifyError } from '../errors.js';
import { hashAlgorithms } from '../features.js';
import { checkLocalTarget, localError, temporaryPathFor } from './download-target.js';
import { planSegments } from '../segments.js';
import { FtpClient, type TransferOptions } from './ftp-client.js';
import { FtpPool } from './ftp-pool.js';

export interface SegmentedOptions extends TransferOptions {
  /** Number of connections. Default 4. */
  segments?: number | undefined;
  /** Smallest segment, bytes. Default 1 MiB. */
  minSegmentSize?: number | undefined;
  /** Verify with HASH when the server offers it. Default true. */
  verifyHash?: boolean | undefined;
  /** Make the local path's missing parent directories. Default false: a missing directory is an FtpLocalError. */
  createDirs?: boolean | undefined;
}

export interface SegmentedResult {
  bytes: number;
  segments: number;
  /** The algorithm the checksum was verified with, if any. */
  verifiedWith?: string;
}

/**
 * Downloads one file over several connections at once, each fetching a byte range with REST (like
 * lftp's pget). The file is checked by size and, when the server offers HASH, by checksum.
 * `client` is used for the first segment; the others use clones.
 * @see RFC 3659 §5 (REST)
 */
export async function downloadSegmented(client: FtpClient, remote: string, localPath: string, opts: SegmentedOptions = {}): Promise<SegmentedResult> {
  const existing = await checkLocalTarget(localPath, opts.createDirs ?? false);
  if (existing && !existing.isFile()) throw new FtpLocalError(`cannot download ${localPath} in segments: it is not a regular file`, localPath);
  const size = await client.size(remote);
  const plan = planSegments(size, opts.segments ?? 4, opts.minSegmentSize ?? 1024 * 1024);
  // Segments land in a temporary file, renamed over `localPath` only once complete and verified.
  const temp = temporaryPathFor(localPath);
  const fh = await open(temp, 'wx').catch((err: unknown) => { throw localError(`cannot write ${localPath}`, localPath, err); });
  try {
    const result = await fetchSegments(client, remote, temp, fh, size, plan, opts);
    await rename(temp, localPath).catch((err: unknown) => { throw localError(`cannot replace ${localPath}`, localPath, err); });
    return result;
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

async function fetchSegments(
  client: FtpClient, remote: string, localPath: string, fh: FileHandle, size: number,
  plan: ReturnType<typeof planSegments>, opts: SegmentedOptions,
): Promise<SegmentedResult> {
  let moved = 0;
  try {
    await fh.truncate(size);
    const pool = FtpPool.from(client, Math.max(1, plan.length));
    try {
      await pool.map(plan, (c, seg) =>
        c.downloadRange(remote, seg.start, seg.length, async (chunk, position) => {
          await fh.write(chunk, 0, chunk.length, position);
        }, {
          ...(opts.signal ? { signal: opts.signal } : {}),
          onBytes: (n) => {
            moved += n;
            opts.onProgress?.({ path: remote, bytes: moved, offset: 0, total: size });
          },
        }));
    } finally {
      await pool.close();
    }
  } finally {
    await fh.close();
  }
  const got = (await open(localPath, 'r').then(async (h) => { const s = await h.stat(); await h.close(); return s.size; }));
  if (got !== size || moved !== size) throw new FtpVerifyError(`segmented download of ${remote}: got ${moved} bytes, file has ${got}, expected ${size}`);
  const result: SegmentedResult = { bytes: size, segments: plan.length };
  if (opts.verifyHash !== false && hashAlgorithms(client.features).length > 0) {
    try {
      const remoteHash = await client.hash(remote);
      const local = await FtpClient.localHash(localPath, remoteHash.algorithm);
      if (local !== remoteHash.hex) throw new FtpVerifyError(`${remote}: ${remoteHash.algorithm} differs (server ${remoteHash.hex}, local ${local})`);
      result.verifiedWith = remoteHash.algorithm;
    } catch (err) {
      if (!(err instanceof FtpUnsupportedError)) throw err;
    }
  }
  return result;
}
