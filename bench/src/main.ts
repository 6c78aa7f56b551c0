/**
 * `pnpm bench`: measures ftpkit against vsftpd, pure-ftpd, pyftpdlib, ftp-srv (servers) and curl,
 * lftp, basic-ftp (clients) on this machine, and writes bench/results/<date>.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCharts } from './charts.js';
import { parseOptions, USAGE } from './options.js';
import { killTracked, runTimed } from './process-utils.js';
import { bareComparisons } from './report.js';
import { REPO_ROOT } from './servers/bench-server.js';
import { runBench } from './run-bench.js';

const opts = (() => {
  try {
    return parseOptions(process.argv.slice(2).filter((a) => a !== '--'), join(import.meta.dirname, '../results'));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
})();
if (opts === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  process.stderr.write('bench: needs root (vsftpd and pure-ftpd switch to a local account created for the run)\n');
  process.exit(2);
}
try {
  // Installs curl, lftp, vsftpd, pure-ftpd (into .tools) and pyftpdlib from Debian when missing;
  // a no-op when everything is there.
  const setup = await runTimed('bash', [join(REPO_ROOT, 'scripts/install-test-deps.sh')], { timeoutMs: 600_000 });
  if (!setup.ok) throw new Error(`installing the benchmark's programs failed:\n${setup.stderr}`);
  const t0 = new Date();
  await mkdir(opts.outDir, { recursive: true });
  const file = join(opts.outDir, `${t0.toISOString().slice(0, 10)}.md`);
  // Rewritten after every table, so an interrupted run still leaves what it measured.
  const result = await runBench(
    opts,
    (line) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`),
    async (partial) => { await writeFile(file, partial); },
  );
  await writeFile(file, result.markdown);
  // Each table as an SVG bar chart beside the report (and as latest-<table>.svg for the README).
  const charts = await writeCharts([...result.tables, ...bareComparisons(result.tables)], opts.outDir, t0.toISOString().slice(0, 10));
  process.stdout.write(`${result.summary}; written to ${file} (+ ${charts.length} SVG charts)\n`);
} catch (err) {
  killTracked();
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
