// Runs inside a fresh network namespace (see passive-time-wait.test.ts): starts the built
// ftpkit-server with its default settings, then Python ftplib downloading one small file COUNT
// times in one session; prints one JSON line {ok, error, tw}. Every wait is bounded.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [main, root, countText] = process.argv.slice(2);
const count = Number(countText);
const PY = `
import ftplib, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
f = ftplib.FTP()
f.connect('127.0.0.1', port, timeout=30)
f.login('u', 'pw')
ok = 0
try:
    for i in range(n):
        f.retrbinary('RETR small.bin', lambda b: None)
        ok += 1
    f.quit()
    print(ok)
except Exception as e:
    print(ok, repr(e)[:200])
`;

const server = spawn(process.execPath, [main, '--port', '0', '--root', root, '--user', 'u:pw', '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'inherit'] });
const killer = setTimeout(() => server.kill('SIGKILL'), 240_000);
let out = '';
const port = await new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error(`no banner: ${out}`)), 30_000);
  server.stdout.setEncoding('utf8').on('data', (d) => {
    out += d;
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
    if (m) { clearTimeout(t); resolve(Number(m[1])); }
  });
  server.once('exit', (code) => reject(new Error(`ftpkit-server exited ${code}: ${out}`)));
});
const py = spawn('python3', ['-c', PY, String(port), String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
let pyOut = '';
py.stdout.setEncoding('utf8').on('data', (d) => (pyOut += d));
await new Promise((resolve) => py.once('close', resolve));
const [ok, ...error] = pyOut.trim().split(' ');
const tw = Number(/tw (\d+)/.exec(readFileSync('/proc/net/sockstat', 'utf8'))?.[1] ?? NaN);
server.kill('SIGTERM');
clearTimeout(killer);
process.stdout.write(`${JSON.stringify({ ok: Number(ok), error: error.join(' '), tw })}\n`);
