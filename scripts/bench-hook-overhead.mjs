#!/usr/bin/env node
// Overhead of a post-upload hook on the small-file upload path (issue 20): N small STORs over one
// ftplib session against the built ftpkit-server (memory storage), without a hook, with a command
// hook (a shell script appending one line) and with a URL hook (a local HTTP receiver), alternated
// ROUNDS times; prints the median time of each and the ratios.
//   pnpm build && node scripts/bench-hook-overhead.mjs [N=500] [ROUNDS=5]
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.argv[2] ?? 500);
const ROUNDS = Number(process.argv[3] ?? 5);
const main = join(import.meta.dirname, '..', 'apps', 'server', 'dist', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'ftpkit-hook-bench-'));
const hook = join(work, 'hook.sh');
writeFileSync(hook, `#!/bin/sh\nprintf '%s %s\\n' "$FTPKIT_PATH" "$FTPKIT_SIZE" >> ${JSON.stringify(join(work, 'uploads.log'))}\n`);
chmodSync(hook, 0o755);
let received = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    res.writeHead(204).end();
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const hookUrl = `http://127.0.0.1:${receiver.address().port}/`;

function start(extra) {
  const child = spawn(process.execPath, [main, '--storage', 'memory', '--port', '0', '--user', 'u:p', '--log-level', 'error', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}`)));
  });
}

const PY = `
import ftplib, io, os, sys, time
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', int(sys.argv[1]), timeout=60)
ftp.login('u', 'p')
data = b'x' * 1024
t = time.perf_counter()
for i in range(int(sys.argv[2])):
    ftp.storbinary('STOR f%d' % i, io.BytesIO(data))
print(time.perf_counter() - t)
ftp.quit()
`;

async function once(extra) {
  const { child, port } = await start(extra);
  try {
    // Asynchronous: the URL receiver lives in this process and must keep answering.
    const { stdout } = await promisify(execFile)('python3', ['-c', PY, String(port), String(N)], { encoding: 'utf8' });
    // The server's own CPU time (utime + stime, clock ticks of 10 ms): robust on a loaded machine.
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { seconds: Number(stdout.trim()), cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

const variants = { none: [], command: ['--hook', `upload=${hook}`], url: ['--hook', `upload=${hookUrl}`] };
const times = { none: [], command: [], url: [] };
const cpu = { none: [], command: [], url: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, extra] of Object.entries(variants)) {
    const { seconds, cpuMs } = await once(extra);
    times[name].push(seconds);
    cpu[name].push(cpuMs);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times.none);
const baseCpu = median(cpu.none);
for (const name of Object.keys(variants)) {
  const m = median(times[name]);
  const c = median(cpu[name]);
  console.log(
    `${name.padEnd(8)} median ${m.toFixed(3)} s for ${N} STORs of 1 KiB (${(N / m) | 0} STOR/s), ratio ${(m / base).toFixed(3)}; server CPU ${c} ms (${(c / N).toFixed(2)} ms/STOR), ratio ${(c / baseCpu).toFixed(3)}`,
  );
}
console.log(`URL receiver got ${received} events`);
receiver.close();
rmSync(work, { recursive: true, force: true });
