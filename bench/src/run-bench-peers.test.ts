import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveVsftpd, havePureFtpd, havePyftpdlib } from '@ftpkit/test-servers';
import { runBench, type BenchResult } from './run-bench.js';
import { ensureBuilt, sample, SERVER_TABLES, smokeCanRun, smokeOptions } from './test-support/smoke.js';

describe.runIf(smokeCanRun())('pnpm bench smoke run: the peers (vsftpd, pure-ftpd, pyftpdlib, ftp-srv, node-floor) with curl and ftplib', () => {
  let out = '';
  let result: BenchResult;
  const servers: string[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    // Under CI these throw with a hint to run `pnpm test:setup` when a program is missing.
    if (haveVsftpd()) servers.push('vsftpd');
    if (havePureFtpd()) servers.push('pure-ftpd');
    if (await havePyftpdlib()) servers.push('pyftpdlib');
    servers.push('ftp-srv', 'node-floor');
    out = await mkdtemp(join(tmpdir(), 'ftpkit-bench-smoke-'));
    const opts = smokeOptions(servers, out);
    // lftp's variants run in the ftpkit smoke test (against vsftpd there), to keep each file short.
    result = await runBench({ ...opts, lftp: false, only: new Set(['retr', 'stor', 'small', 'burst', 'idle', 'raw']) }, () => undefined);
  }, 240_000);

  afterAll(async () => { if (out) await rm(out, { recursive: true, force: true }); });

  it('measures every peer in every server measurement without a failed run', () => {
    expect(result.tables.map((t) => t.id).sort()).toEqual(['raw', ...SERVER_TABLES].sort());
    for (const id of SERVER_TABLES) {
      const t = result.tables.find((x) => x.id === id);
      expect(t?.rows.map((r) => r.subject), id).toEqual(servers);
      for (const r of t?.rows ?? []) {
        expect({ id, subject: r.subject, failures: r.failures, errors: r.errors }).toEqual({ id, subject: r.subject, failures: 0, errors: [] });
        for (const m of t?.metrics ?? []) expect(r.samples[m.key]?.length, `${id} ${r.subject} ${m.key}`).toBe(1);
      }
    }
  });

  it('reports plausible figures: all burst sessions served, all idle sessions held, positive rates', () => {
    for (const s of servers) {
      for (const id of ['retr-curl', 'stor-curl']) expect(sample(result, id, s, 'mbps'), `${id} ${s}`).toBeGreaterThan(0);
      expect(sample(result, 'small-ftplib', s, 'fps'), s).toBeGreaterThan(0);
      for (const id of ['burst-0', 'burst-1000']) {
        expect(sample(result, id, s, 'ok'), `${id} ${s}`).toBe(8);
        expect(sample(result, id, s, 'p95'), `${id} ${s}`).toBeGreaterThanOrEqual(sample(result, id, s, 'p50'));
        expect(sample(result, id, s, 'peak'), `${id} ${s}`).toBeGreaterThan(0);
      }
      expect(sample(result, 'idle', s, 'held'), s).toBe(16);
      expect(sample(result, 'idle', s, 'base'), s).toBeGreaterThan(0);
    }
    expect(sample(result, 'raw', 'node raw socket', 'mbps')).toBeGreaterThan(0);
  });

  it('renders one Markdown table per measurement and a one-line summary', () => {
    expect(result.markdown).toContain('### RETR 2 MiB with curl (MB/s, higher is better)');
    expect(result.markdown).toContain('### 12 files of 4 KiB in one session with Python ftplib (files/s, higher is better)');
    expect(result.markdown).toContain('### 8 clients at once, each login + LIST + RETR 16 KiB + QUIT');
    expect(result.markdown).toContain('### 16 idle logged-in sessions');
    expect(result.markdown).toMatch(/\n\| vsftpd \| 1\/1 \| [\d.]+ \|/);
    expect(result.summary).toMatch(/^bench: .*targets met \d+\/\d+$/);
  });
});
