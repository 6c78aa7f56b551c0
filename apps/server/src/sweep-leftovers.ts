import { existsSync } from 'node:fs';
import type { Logger } from '@ftpkit/server';
import type { StorageAdapter } from '@ftpkit/storage';
import { localStorage } from '@ftpkit/storage-local';
import { isS3Url, type ServerConfig } from './server-config.js';

/** How long the start-up sweep may take in all; what it did not reach is left for the next start. */
export const SWEEP_TIME_LIMIT_MS = 10_000;

/** The local roots the program serves: `--root` and every user root outside it. */
function localRoots(config: ServerConfig): string[] {
  const roots = [config.root];
  for (const u of config.users) {
    const r = u.root;
    if (r === undefined || r === config.root || r.startsWith(`${config.root}/`)) continue;
    if (!roots.some((known) => r === known || r.startsWith(`${known}/`))) roots.push(r);
  }
  return roots.filter((r) => existsSync(r));
}

/** An adapter whose leftovers the start-up sweep removes, and where it is (for the log). */
export interface SweepTarget {
  where: string;
  adapter: StorageAdapter;
}

/** `--storage local`: `--root` and every user root outside it. */
export function localSweepTargets(config: ServerConfig): SweepTarget[] {
  return localRoots(config).map((root) => ({ where: root, adapter: localStorage({ root }) }));
}

/** `--storage s3`: the default location (it covers the user roots below it) and every s3:// user root. */
export function s3SweepTargets(config: ServerConfig, adapterFor: (root: string | undefined) => StorageAdapter): SweepTarget[] {
  if (config.s3 === undefined) return [];
  const targets: SweepTarget[] = [{ where: `s3://${config.s3.bucket}/${config.s3.prefix}`, adapter: adapterFor(undefined) }];
  for (const u of config.users) if (u.root !== undefined && isS3Url(u.root)) targets.push({ where: u.root, adapter: adapterFor(u.root) });
  return targets;
}

/**
 * Start-up: removes what uploads interrupted by a crash or SIGKILL of an earlier run left behind,
 * within {@link SWEEP_TIME_LIMIT_MS} in all, and logs what it found: the `.ftpkit-upload-*`
 * temporary files of atomic uploads (local storage) and the incomplete multipart uploads older
 * than `--s3-stale-upload-ms` (S3). Memory storage starts empty.
 */
export async function sweepLeftovers(targets: readonly SweepTarget[], logger: Logger): Promise<void> {
  const signal = AbortSignal.timeout(SWEEP_TIME_LIMIT_MS);
  for (const { where: root, adapter } of targets) {
    if (adapter.sweepTemporary === undefined) continue;
    const started = Date.now();
    try {
      const r = await adapter.sweepTemporary({ signal });
      const note = { root, removed: r.removed, bytes: r.bytes, failed: r.failed, complete: r.complete, durationMs: Date.now() - started };
      if (r.removed > 0 || r.failed > 0 || !r.complete) logger.warn(note, 'temporary upload files of interrupted uploads swept');
      else logger.info(note, 'no temporary upload files left by an earlier run');
    } catch (err) {
      logger.warn({ root, err: String(err) }, 'sweep of temporary upload files failed');
    }
  }
}
