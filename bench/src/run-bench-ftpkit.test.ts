import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveVsftpd } from '@ftpkit/test-servers';
import { clientRows } from './measure-client.js';
import { runBench, type BenchResult } from './run-bench.js';
import { FTPKIT_SERVER, haveFtpkitServer } from './servers/ftpkit.js';
import { ensureBuilt, LFTP_TABLES, sample, SERVER_TABLES, smokeCanRun, smokeOptions } from './test-support/smoke.js';

// `pnpm test` builds every package first, so under CI the ftpkit programs must be there.
const ftpkitBuilt = haveFtpkitServer();
if (!ftpkitBuilt && process.env.CI) throw new Error(`${FTPKIT_SERVER} is missing: run \`pnpm build\` first`);

describe.runIf(smokeCanRun() && ftpkitBuilt)('pnpm bench smoke run: ftpkit-server (local and memory) and the ftpkit clients', () => {
  let out = '';
  let result: BenchResult;
  const servers = ['ftpkit-local', 'ftpkit-memory'];

  beforeAll(async () => {
    await ensureBuilt();
    // vsftpd is the peer row here and the server the client comparison downloads from.
    if (haveVsftpd()) servers.push('vsftpd');
    // The Node floor: the issue-18 small-file targets are ratios against it, lftp mirror included.
    servers.push('node-floor');
    out = await mkdtemp(join(tmpdir(), 'ftpkit-bench-smoke-'));
    const opts = smokeOptions(servers, out);
    result = await runBench({ ...opts, only: new Set(['retr', 'stor', 'small', 'sustained', 'burst', 'idle', 'client']) }, () => undefined);
  }, 240_000);

  afterAll(async () => { if (out) await rm(out, { recursive: true, force: true }); });

  it('measures ftpkit-server with local and memory storage in every server measurement, lftp variants too', () => {
    for (const id of [...SERVER_TABLES, ...LFTP_TABLES]) {
      const t = result.tables.find((x) => x.id === id);
      expect(t?.rows.map((r) => r.subject), id).toEqual(servers);
      for (const r of t?.rows ?? []) {
        expect({ id, subject: r.subject, failures: r.failures, errors: r.errors }).toEqual({ id, subject: r.subject, failures: 0, errors: [] });
      }
    }
    for (const s of ['ftpkit-local', 'ftpkit-memory']) {
      for (const id of ['retr-curl', 'stor-curl', 'retr-lftp', 'stor-lftp']) expect(sample(result, id, s, 'mbps'), `${id} ${s}`).toBeGreaterThan(0);
      expect(sample(result, 'small-lftp', s, 'fps'), s).toBeGreaterThan(0);
      expect(sample(result, 'burst-0', s, 'ok'), s).toBe(8);
      expect(sample(result, 'idle', s, 'held'), s).toBe(16);
    }
  });

  it('measures sustained small-file downloads for the ftpkit rows only, and checks its target', () => {
    const t = result.tables.find((x) => x.id === 'sustained');
    expect(t?.rows.map((r) => [r.subject, r.failures, r.errors])).toEqual([['ftpkit-local', 0, []], ['ftpkit-memory', 0, []]]);
    for (const s of ['ftpkit-local', 'ftpkit-memory']) {
      expect(sample(result, 'sustained', s, 'first'), s).toBeGreaterThan(0);
      expect(sample(result, 'sustained', s, 'keep'), s).toBeGreaterThan(0);
    }
    expect(result.targets.find((c) => c.target.startsWith('Sustained, default settings'))?.status).toMatch(/^(met|MISSED)$/);
  });

  it.runIf(servers.includes('vsftpd') || haveVsftpd())('downloads with every client that is built, ftpkit ones included', () => {
    const t = result.tables.find((x) => x.id === 'client');
    const expected = clientRows({ curl: true, lftp: true }).filter((c) => c.available).map((c) => c.name);
    expect(t?.rows.map((r) => r.subject)).toEqual(expected);
    for (const r of t?.rows ?? []) {
      expect({ subject: r.subject, failures: r.failures, errors: r.errors }).toEqual({ subject: r.subject, failures: 0, errors: [] });
      expect(r.samples.mbps?.[0], r.subject).toBeGreaterThan(0);
    }
  });

  it('renders ftpkit ÷ peer ratio columns and checks the issue targets', () => {
    expect(result.markdown).toContain('| ftpkit-local ÷ row, MB/s | ftpkit-memory ÷ row, MB/s |');
    expect(result.markdown).toContain('## Targets (issues 18 and 19), medians of this run');
    for (const client of ['ftplib', '`lftp mirror`']) {
      const target = `1000 × 4 KiB with ${client}: ftpkit-local ≥ 1.0x node-floor [ftpkit-local ÷ node-floor]`;
      expect(result.targets.find((c) => c.target === target)?.status, target).toMatch(/^(met|MISSED)$/);
    }
    for (const verb of ['RETR', 'STOR']) {
      for (const client of ['curl', 'lftp']) {
        const target = `${verb} 1 GiB with ${client}: ftpkit-local ≥ 1.0x vsftpd [ftpkit-local ÷ vsftpd]`;
        expect(result.targets.find((c) => c.target === target)?.status, target).toMatch(/^(met|MISSED)$/);
      }
    }
    for (const c of ['`ftpkit get`', '`@ftpkit/client`']) {
      expect(result.targets.filter((x) => x.target.startsWith(`${c} download from vsftpd`)).map((x) => x.status), c).toEqual([expect.stringMatching(/^(met|MISSED)$/), expect.stringMatching(/^(met|MISSED)$/)]);
    }
    expect(result.targets.find((c) => c.target.startsWith('No regression: idle memory per session'))?.status).toMatch(/^(met|MISSED)$/);
    expect(result.summary).toMatch(/^bench: retr-curl \d+ MB\/s, .*targets met \d+\/\d+$/);
  });
});
