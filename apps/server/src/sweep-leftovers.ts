import { existsSync } from 'node:fs';
import type { Logger } from '@ftpkit/server';
import type { StorageAdapter } from '@ftpkit/storage';
import { localStorage } from '@ftpkit/storage-local';
import type { ServerConfig } from './server-config.js';

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

/**
 * Start-up: removes what uploads interrupted by a crash or SIGKILL of an earlier run left behind
 * (the `.ftpkit-upload-*` temporary files of atomic uploads), within {@link SWEEP_TIME_LIMIT_MS},
 * and logs what it found. Local storage only: memory starts empty, and S3 multipart uploads
 * are aborted by the bucket's lifecycle rule (see docs/production.md).
 */
export async function sweepLeftovers(config: ServerConfig, logger: Logger): Promise<void> {
  if (config.storage !== 'local') return;
  const signal = AbortSignal.timeout(SWEEP_TIME_LIMIT_MS);
  for (const root of localRoots(config)) {
    const adapter: StorageAdapter = localStorage({ root });
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
