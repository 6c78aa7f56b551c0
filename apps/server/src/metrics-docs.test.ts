import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { curl, programEnv, programReady, startProgram } from './test-support/s3-program.js';

// /metrics of the built program, after a ban, against the table in docs/production.md.

const PRODUCTION = join(import.meta.dirname, '..', '..', '..', 'docs', 'production.md');

interface Family {
  type: string;
  labels: Set<string>;
}

/** The ftpkit_ families /metrics serves: type from `# TYPE`, label names from the samples. */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (ftpkit_\w+) (\w+)$/.exec(line);
    if (type?.[1] !== undefined && type[2] !== undefined) families.set(type[1], { type: type[2], labels: new Set() });
  }
  for (const line of text.split('\n')) {
    const sample = /^(ftpkit_\w+?)(?:_sum|_count)?(?:\{([^}]*)\})? \S+$/.exec(line);
    if (sample?.[1] === undefined) continue;
    const family = families.get(sample[1]) ?? families.get(line.split(/[{ ]/)[0] ?? '');
    for (const pair of (sample[2] ?? '').split(',').filter(Boolean)) family?.labels.add(pair.split('=')[0] ?? '');
  }
  return families;
}

/** The metrics table of docs/production.md: name, type and the label names (`name`: values). */
function documented(): Map<string, Family> {
  const text = readFileSync(PRODUCTION, 'utf8');
  const table = text.slice(text.indexOf('## Metrics'), text.indexOf('## Running as a systemd service'));
  const rows = new Map<string, Family>();
  for (const line of table.split('\n')) {
    const m = /^\| `(ftpkit_\w+)` \| (\w+) \|([^|]*)\|/.exec(line);
    if (m?.[1] === undefined) continue;
    // A label is written `name` at the start of the cell or after `; `; values follow a colon.
    const labels = [...(m[3] ?? '').trim().matchAll(/(?:^|; )`(\w+)`/g)].map((l) => l[1] ?? '');
    rows.set(m[1], { type: m[2] ?? '', labels: new Set(labels) });
  }
  return rows;
}

describe('metrics of the built program', () => {
  it('counts a connection refused during a ban, serves the event-loop delay as a summary, and matches the docs table', { timeout: 90_000 }, async () => {
    if (!programReady()) return;
    const dir = mkdtempSync(join(tmpdir(), 'ftpkit-metrics-'));
    mkdirSync(join(dir, 'root'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'limits:\n  maxLoginFailuresPerIp: 1\n  loginFailureDelayMs: 0\n  loginBanMs: 600000\n');
    const p = await startProgram(['--root', join(dir, 'root'), '--user', 'u:p', '--metrics', '127.0.0.1:0', '--config', config], programEnv({ FTPKIT_LOG_LEVEL: 'warn' }));
    try {
      const url = /metrics: (http:\S+)/.exec(p.stdout())?.[1] ?? '';
      expect((await curl([`ftp://u:wrong@127.0.0.1:${p.port}/`], 20)).stderr).toMatch(/530|denied/i);
      // Banned now: the next connection gets 421 at once, whatever it sends.
      const refused = await curl(['-v', `ftp://u:p@127.0.0.1:${p.port}/`], 20);
      expect(refused.stderr).toMatch(/< 421/);
      const text = (await curl([url], 20)).stdout;
      expect(text).toMatch(/^ftpkit_connections_refused_total\{reason="banned"\} 1$/m);

      expect(text).toMatch(/^# TYPE ftpkit_event_loop_delay_seconds summary$/m);
      for (const q of ['0.5', '0.9', '0.99', '1']) expect(text).toMatch(new RegExp(`^ftpkit_event_loop_delay_seconds\\{quantile="${q}"\\} [\\d.e+-]+$`, 'm'));
      expect(text).toMatch(/^ftpkit_event_loop_delay_seconds_sum [\d.e+-]+$/m);
      expect(Number(/^ftpkit_event_loop_delay_seconds_count (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);

      const served = parseExposition(text);
      const docs = documented();
      expect([...docs.keys()].sort()).toEqual([...served.keys()].sort());
      for (const [name, family] of served) {
        const row = docs.get(name);
        expect(row?.type, name).toBe(family.type);
        // Every label served is documented; labels seen only after other events (a data-channel error) may not show here.
        for (const label of family.labels) expect(row?.labels.has(label), `${name}{${label}}`).toBe(true);
      }
      expect(served.get('ftpkit_connections_refused_total')?.labels).toEqual(new Set(['reason']));
    } finally {
      await p.stop();
    }
  });
});
