import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveVsftpd, havePureFtpd } from '@ftpkit/test-servers';
import { writeCharts } from './charts.js';
import { clientRows } from './measure-client.js';
import { BARE_RECEIVE, BARE_SEND, bareComparisons } from './report.js';
import { runBench, type BenchResult } from './run-bench.js';
import { FTPKIT_SERVER, haveFtpkitServer } from './servers/ftpkit.js';
import { ensureBuilt, missingFigures, smokeCanRun, smokeOptions } from './test-support/smoke.js';

const ftpkitBuilt = haveFtpkitServer();
if (!ftpkitBuilt && process.env.CI) throw new Error(`${FTPKIT_SERVER} is missing: run \`pnpm build\` first`);

// Issue 19's measurements: the bare Node loops, client uploads, FTPS (servers with TLS, clients over
// TLS), next to the curl RETR/STOR and client downloads the bare-loop targets compare with.
describe.runIf(smokeCanRun() && ftpkitBuilt && haveVsftpd())('pnpm bench smoke run: bare Node loops, client uploads, FTPS', () => {
  let out = '';
  let result: BenchResult;
  const servers = ['ftpkit-local', 'vsftpd'];

  beforeAll(async () => {
    await ensureBuilt();
    if (havePureFtpd()) servers.push('pure-ftpd');
    out = await mkdtemp(join(tmpdir(), 'ftpkit-bench-smoke-'));
    const opts = smokeOptions(servers, out);
    result = await runBench({ ...opts, lftp: false, only: new Set(['bare', 'retr', 'stor', 'client', 'upload', 'ftps']) }, () => undefined);
  }, 240_000);

  afterAll(async () => { if (out) await rm(out, { recursive: true, force: true }); });

  it('measures both bare Node loops with the big file, each with a figure', () => {
    expect(result.tables.find((t) => t.id === 'bare')?.rows.map((r) => r.subject)).toEqual([BARE_RECEIVE, BARE_SEND]);
    expect(missingFigures(result, ['bare'])).toEqual([]);
    const t = result.tables.find((x) => x.id === 'bare');
    expect(t?.metrics.map((m) => m.key)).toEqual(['mbps', 'loop']);
  });

  it('uploads to vsftpd with ftpkit put, @ftpkit/client, curl and basic-ftp (lftp when it runs), each with a figure', () => {
    const expected = clientRows({ curl: true, lftp: false }, 'upload').filter((c) => c.available).map((c) => c.name);
    expect(expected.slice(0, 2)).toEqual(['ftpkit put', '@ftpkit/client']);
    expect(result.tables.find((t) => t.id === 'client-upload')?.rows.map((r) => r.subject)).toEqual(expected);
    expect(missingFigures(result, ['client-upload', 'client'])).toEqual([]);
  });

  it('runs FTPS RETR and STOR with curl against every server started with TLS, and the TLS clients from vsftpd', () => {
    for (const id of ['ftps-retr', 'ftps-stor']) {
      expect(result.tables.find((t) => t.id === id)?.rows.map((r) => r.subject), id).toEqual(servers);
    }
    expect(result.tables.find((t) => t.id === 'client-tls')?.rows.map((r) => r.subject)).toEqual(['ftpkit get', '@ftpkit/client', 'curl']);
    expect(missingFigures(result, ['ftps-retr', 'ftps-stor', 'client-tls', 'retr-curl', 'stor-curl'])).toEqual([]);
  });

  it('judges every issue-19 target these tables answer (met or MISSED, never n/a)', () => {
    const nineteen = result.targets.filter((c) => c.issue === '19');
    const judged = (prefix: string): string[] => nineteen.filter((c) => c.target.startsWith(prefix)).map((c) => c.status);
    expect(judged('FTPS RETR ≥ 1.0x').length + judged('FTPS STOR ≥ 1.0x').length).toBe(servers.includes('pure-ftpd') ? 4 : 2);
    expect(judged('`ftpkit put` upload to vsftpd ≥ 1.0x curl')).toHaveLength(1);
    // curl STOR/RETR and both client directions against the bare loops (lftp's tables are not run here).
    expect(judged('Each direction ≥ 0.9x the bare Node loop')).toHaveLength(6);
    for (const c of nineteen.filter((x) => !x.target.includes('lftp'))) expect({ target: c.target, status: c.status }).toEqual({ target: c.target, status: expect.stringMatching(/^(met|MISSED)$/) });
    expect(result.markdown).toContain('## Targets (issues 18 and 19), medians of this run');
  });

  it('writes a chart per new table and the two bare-loop comparisons, and times every measurement', async () => {
    const charts = join(out, 'charts');
    await rm(charts, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(charts));
    await writeCharts([...result.tables, ...bareComparisons(result.tables)], charts, 'smoke');
    const names = (await readdir(charts)).filter((n) => n.startsWith('latest-')).sort();
    for (const id of ['client-upload', 'ftps-retr', 'ftps-stor', 'client-tls', 'vs-bare-receive', 'vs-bare-send']) expect(names, id).toContain(`latest-${id}.svg`);
    expect(names).not.toContain('latest-bare.svg');
    expect(result.timings.map((t) => t.id)).toEqual(result.tables.map((t) => t.id));
    for (const t of result.timings) expect(t.estimate, t.id).toBeGreaterThan(0);
    expect(result.markdown).toContain('### Time per measurement');
  });
});
