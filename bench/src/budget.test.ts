import { describe, expect, it } from 'vitest';
import { estimateRoundSeconds, stepDeadline } from './budget.js';
import { parseOptions } from './options.js';
import { roundRobin, type Table } from './results.js';

describe('time budget', () => {
  it('gives each measurement a share of the time left in proportion to its estimate', () => {
    expect(stepDeadline(1000, 1000 + 60_000, [10, 20, 30], 0)).toBe(1000 + 10_000);
    expect(stepDeadline(1000, 1000 + 60_000, [10, 20, 30], 2)).toBe(1000 + 60_000);
    // Past the deadline a measurement still gets its first round: its share is zero, not negative.
    expect(stepDeadline(5000, 1000, [10, 20], 0)).toBe(5000);
  });

  it('estimates a default `--runs 3` run of every measurement and every server well inside the default budget', () => {
    const o = parseOptions(['--runs', '3'], '/tmp/x');
    if (o === 'help') throw new Error('help');
    const servers = { rows: 7, ftpSrv: true, vsftpd: true };
    const rows: Record<string, number> = { raw: 1, bare: 2, sustained: 2, client: 5, 'client-upload': 5, 'ftps-retr': 3, 'ftps-stor': 3, 'client-tls': 3 };
    const ids = ['raw', 'bare', 'retr-curl', 'stor-curl', 'small-ftplib', 'sustained', 'burst-0', 'burst-1000', 'client', 'client-upload', 'idle',
      'ftps-retr', 'ftps-stor', 'client-tls', 'retr-lftp', 'stor-lftp', 'small-lftp'];
    const total = ids.reduce((a, id) => a + o.runs * estimateRoundSeconds(id, o, { ...servers, rows: rows[id] ?? 7 }), 0);
    expect(o.maxMinutes).toBe(28);
    expect(total / 60).toBeGreaterThan(10);
    expect(total / 60).toBeLessThan(o.maxMinutes);
  });

  it('stops starting rounds when another would not fit, but always runs the first', async () => {
    const table: Table = { id: 't', title: 't', metrics: [{ key: 'v', label: 'v', higherIsBetter: true, ratio: false }], rows: [], notes: [] };
    const slow = { name: 'slow', ftpkit: false, run: async () => { await new Promise((r) => setTimeout(r, 60)); return { v: 1 }; } };
    await roundRobin(table, [slow], { opts: { runs: 5 }, deadline: Date.now() + 100, log: () => undefined });
    expect(table.rows[0]?.runs).toBe(1);
    expect(table.notes.join(' ')).toMatch(/^Stopped after 1 of 5 rounds/);
    const none: Table = { ...table, rows: [], notes: [] };
    await roundRobin(none, [slow], { opts: { runs: 2 }, deadline: Date.now() - 1, log: () => undefined });
    expect(none.rows[0]?.runs).toBe(1);
  });
});
