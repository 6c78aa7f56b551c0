/**
 * Child process: ftp-srv (the npm FTP server) on 127.0.0.1, so it gets a process (and an RSS) of its
 * own like every other server in the benchmark.
 * Arguments: port root pasvMin pasvMax user password.
 */
import { createRequire } from 'node:module';

// ftp-srv is CommonJS whose exports Node cannot all detect statically: load it with require.
const require = createRequire(import.meta.url);
const { FtpSrv, GeneralError } = require('ftp-srv') as typeof import('ftp-srv');

const [port, root, pasvMin, pasvMax, user, password] = process.argv.slice(2);
if (!port || !root || !pasvMin || !pasvMax || !user || password === undefined) {
  process.stderr.write('usage: ftp-srv-server PORT ROOT PASV_MIN PASV_MAX USER PASSWORD\n');
  process.exit(2);
}

// ftp-srv logs every command through bunyan by default; the other servers run with logging off.
const silent = {
  trace(): void {}, debug(): void {}, info(): void {}, warn(): void {}, error(): void {}, fatal(): void {},
  child(): unknown { return silent; },
};

const server = new FtpSrv({
  url: `ftp://127.0.0.1:${port}`,
  pasv_url: '127.0.0.1',
  pasv_min: Number(pasvMin),
  pasv_max: Number(pasvMax),
  anonymous: false,
  greeting: 'ftpkit bench ftp-srv',
  log: silent,
});

server.on('login', ({ username, password: pass }: { username: string; password: string }, resolve: (r: { root: string }) => void, reject: (e: Error) => void) => {
  if (username === user && pass === password) resolve({ root });
  else reject(new GeneralError('Invalid username or password', 530));
});

process.on('SIGTERM', () => { void server.close().finally(() => process.exit(0)); });
await server.listen();
process.stdout.write('ready\n');
