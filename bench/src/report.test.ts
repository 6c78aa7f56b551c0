import { describe, expect, it } from 'vitest';
import { BARE_RECEIVE, BARE_SEND, bareComparisons, checkTargets, renderTargets } from './report.js';
import type { Row, Table } from './results.js';

function row(subject: string, ftpkit: boolean, value: number[], key = 'mbps'): Row {
  return { subject, ftpkit, samples: { [key]: value }, runs: value.length, failures: 0, errors: [] };
}

function mbTable(id: string, rows: Row[]): Table {
  return { id, title: id, metrics: [{ key: 'mbps', label: 'MB/s', higherIsBetter: true, ratio: true }], rows, notes: [] };
}

const status = (checks: ReturnType<typeof checkTargets>, target: string): string | undefined => checks.find((c) => c.target === target)?.status;

describe('checkTargets', () => {
  it('compares STOR/RETR with the best peer, never with the node-floor or another ftpkit row', () => {
    const t = mbTable('stor-curl', [
      row('ftpkit-local', true, [900]), row('ftpkit-memory', true, [5000]), row('node-floor', false, [4000]),
      row('vsftpd', false, [800]), row('pure-ftpd', false, [1000]), row('ftp-srv', false, [300]),
    ]);
    const checks = checkTargets([t], 200);
    expect(checks.find((c) => c.target.startsWith('STOR 1 GiB with curl: ftpkit-local ≥ 0.9x the best peer'))).toEqual({
      issue: '19', target: 'STOR 1 GiB with curl: ftpkit-local ≥ 0.9x the best peer [ftpkit-local ÷ best peer (pure-ftpd)]', measured: '0.90x (900 vs 1000)', status: 'met',
    });
    expect(status(checks, 'STOR 1 GiB with curl: ftpkit-local ≥ 1.0x vsftpd [ftpkit-local ÷ vsftpd]')).toBe('met');
    expect(status(checks, 'No regression (issue 18): STOR 1 GiB with curl: ftpkit-local at least 2.5x ftp-srv [ftpkit-local ÷ ftp-srv]')).toBe('met');
    // lftp's table did not run: its targets are not listed at all.
    expect(checks.some((c) => c.target.includes('with lftp'))).toBe(false);
  });

  it('states the client, FTPS and bare-loop targets of issue 19 and judges each against its own table', () => {
    const tables = [
      mbTable('client', [row('ftpkit get', true, [1000]), row('@ftpkit/client', true, [1200]), row('curl', false, [1100]), row('basic-ftp', false, [800])]),
      mbTable('client-upload', [row('ftpkit put', true, [700]), row('@ftpkit/client', true, [650]), row('curl', false, [690])]),
      mbTable('ftps-retr', [row('ftpkit-local', true, [900]), row('vsftpd', false, [800]), row('pure-ftpd', false, [950])]),
      { ...mbTable('bare', [row(BARE_RECEIVE, false, [1200]), row(BARE_SEND, false, [1000])]), metrics: [{ key: 'mbps', label: 'MB/s', higherIsBetter: true, ratio: false }] },
    ];
    // A server row is held against the loop's transfer-only figure, not its spawn-to-exit one.
    const bareBoth: Table = { ...mbTable('bare', [{ ...row(BARE_RECEIVE, false, [1000]), samples: { mbps: [1000], loop: [1100] } }]), metrics: [] };
    const stor = checkTargets([mbTable('stor-curl', [row('ftpkit-local', true, [1000])]), bareBoth], 200).find((c) => c.target.includes('bare Node loop'));
    expect(stor).toEqual({ issue: '19', target: 'Each direction ≥ 0.9x the bare Node loop measured in the same run: server STOR with curl vs socket → file [ftpkit-local ÷ socket → file, transfer only]', measured: '0.91x (1000 vs 1100)', status: 'met' });
    const checks = checkTargets(tables, 200);
    expect(checks.filter((c) => c.issue === '19').map((c) => [c.target, c.status])).toEqual([
      ['`ftpkit get` download from vsftpd: ≥ 1.0x curl [ftpkit get ÷ curl]', 'MISSED'],
      ['`ftpkit get` download from vsftpd: ≥ 1.3x basic-ftp [ftpkit get ÷ basic-ftp]', 'MISSED'],
      ['`@ftpkit/client` download from vsftpd: ≥ 1.0x curl [@ftpkit/client ÷ curl]', 'met'],
      ['`@ftpkit/client` download from vsftpd: ≥ 1.3x basic-ftp [@ftpkit/client ÷ basic-ftp]', 'met'],
      ['`ftpkit put` upload to vsftpd ≥ 1.0x curl [ftpkit put ÷ curl]', 'met'],
      ['Each direction ≥ 0.9x the bare Node loop measured in the same run: client download, `ftpkit get` vs socket → file [ftpkit get ÷ socket → file, spawn to exit]', 'MISSED'],
      ['Each direction ≥ 0.9x the bare Node loop measured in the same run: client download, `@ftpkit/client` vs socket → file [@ftpkit/client ÷ socket → file, spawn to exit]', 'met'],
      ['Each direction ≥ 0.9x the bare Node loop measured in the same run: client upload, `ftpkit put` vs file → socket [ftpkit put ÷ file → socket, spawn to exit]', 'MISSED'],
      ['Each direction ≥ 0.9x the bare Node loop measured in the same run: client upload, `@ftpkit/client` vs file → socket [@ftpkit/client ÷ file → socket, spawn to exit]', 'MISSED'],
      ['FTPS RETR ≥ 1.0x vsftpd (with TLS) [ftpkit-local ÷ vsftpd]', 'met'],
      ['FTPS RETR ≥ 1.0x pure-ftpd (with TLS) [ftpkit-local ÷ pure-ftpd]', 'MISSED'],
    ]);
    expect(renderTargets(checks)).toContain('| 19 | FTPS RETR ≥ 1.0x pure-ftpd (with TLS) [ftpkit-local ÷ pure-ftpd] | 0.95x (900 vs 950) | **MISSED** |');
    // The charts' view of the same comparison: the bare loop first, then ftpkit's rows of that direction.
    expect(bareComparisons(tables).map((t) => [t.id, t.rows.map((r) => r.subject)])).toEqual([
      ['vs-bare-receive', [`bare Node loop, ${BARE_RECEIVE}`, 'client download, ftpkit get', 'client download, @ftpkit/client']],
      ['vs-bare-send', [`bare Node loop, ${BARE_SEND}`, 'client upload, ftpkit put', 'client upload, @ftpkit/client']],
    ]);
  });

  it('says n/a when a compared row has no figure, and checks the burst against ftp-srv and pyftpdlib only', () => {
    const burst: Table = {
      id: 'burst-0', title: 'burst', rows: [
        { subject: 'ftpkit-local', ftpkit: true, samples: { ok: [200, 200], p95: [300, 320], peak: [60, 61] }, runs: 2, failures: 0, errors: [] },
        { subject: 'vsftpd', ftpkit: false, samples: { ok: [95], p95: [100], peak: [20] }, runs: 1, failures: 0, errors: [] },
        { subject: 'pyftpdlib', ftpkit: false, samples: { ok: [200], p95: [400], peak: [20] }, runs: 1, failures: 0, errors: [] },
        { subject: 'ftp-srv', ftpkit: false, samples: { ok: [200], p95: [350], peak: [50] }, runs: 1, failures: 0, errors: [] },
      ],
      metrics: [], notes: [],
    };
    const checks = checkTargets([burst, mbTable('ftps-stor', [row('ftpkit-local', true, [900]), row('vsftpd', false, [])])], 200);
    expect(checks.map((c) => [c.issue, c.target, c.status])).toEqual([
      ['18', '200 clients at once, ftpkit-server with default settings: 200/200 in every run', 'met'],
      ['18', '200 clients at once, ftpkit-server with default settings: p95 below ftp-srv\'s and pyftpdlib\'s', 'met'],
      ['18', '200 clients at once, ftpkit-server with default settings: peak server memory below ftp-srv\'s', 'MISSED'],
      ['19', 'FTPS STOR ≥ 1.0x vsftpd (with TLS) [ftpkit-local ÷ vsftpd]', 'n/a'],
      ['19', 'FTPS STOR ≥ 1.0x pure-ftpd (with TLS) [ftpkit-local ÷ pure-ftpd]', 'n/a'],
    ]);
  });
});
