import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { programReady, startProgram } from './test-support/s3-program.js';

const hasPython = spawnSync('/usr/bin/python3', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasPython && process.env.CI) throw new Error('python3 is missing: run `pnpm test:setup` to install the test programs');

/** Runs a Python ftplib script against `port`; its last line of stdout is JSON. */
function python(script: string, port: number): Promise<{ stderr: string; result: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const child = execFile('/usr/bin/python3', ['-c', script], { env: { ...process.env, FTP_PORT: String(port) }, timeout: 60_000, encoding: 'utf8' }, (_e, stdout, stderr) => {
      const last = stdout.trim().split('\n').at(-1) ?? '{}';
      let result: Record<string, unknown> = {};
      try {
        result = JSON.parse(last) as Record<string, unknown>;
      } catch {
        result = { unparsed: stdout };
      }
      resolve({ stderr, result });
    });
    child.stdin?.end();
  });
}

function programEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FTPKIT_')) env[k] = v;
  return { ...env, FTPKIT_LOG_FORMAT: 'json', FTPKIT_LOG_LEVEL: 'warn' };
}

const SECRET_SIZE = 200_000;

const ATTACKS = `
import ftplib, json, os, socket, ssl
port = int(os.environ['FTP_PORT'])
out = {}
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

def pasv(ftp):
    return ftplib.parse227(ftp.sendcmd('PASV'))[1]

def drain(sock):
    n = 0
    sock.settimeout(20)
    try:
        while True:
            b = sock.recv(65536)
            if not b:
                break
            n += len(b)
    except OSError:
        pass
    return n

def retr(ftp):
    chunks = []
    ftp.retrbinary('RETR secret.bin', chunks.append)
    return len(b''.join(chunks))

# Passive ports: 50 in a row.
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', port, timeout=20)
ftp.login('u', 'p')
out['ports'] = [pasv(ftp) for _ in range(50)]

# Plaintext: a thief on the victim's address connects to the announced port first.
ftp.voidcmd('TYPE I')
p = pasv(ftp)
thief = socket.create_connection(('127.0.0.1', p), timeout=20)
victim = socket.create_connection(('127.0.0.1', p), timeout=20)
try:
    out['plain_retr'] = ftp.sendcmd('RETR secret.bin')[:3]
except ftplib.error_temp as e:
    out['plain_retr'] = str(e)[:3]
out['plain_victim_bytes'] = drain(victim)
out['plain_thief_bytes'] = drain(thief)
out['plain_again'] = retr(ftp)
ftp.quit()

# PROT P, sessionReuse prefer: the victim resumes once, then a thief races with a fresh handshake.
class Reusing(ftplib.FTP_TLS):
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size
ftp = Reusing(context=ctx)
ftp.connect('127.0.0.1', port, timeout=20)
ftp.login('u', 'p')
ftp.prot_p()
ftp.voidcmd('TYPE I')
out['tls_first'] = retr(ftp)
p = pasv(ftp)
raw = socket.create_connection(('127.0.0.1', p), timeout=20)
thief = ctx.wrap_socket(raw, do_handshake_on_connect=False)
try:
    out['tls_retr'] = ftp.sendcmd('RETR secret.bin')[:3]
    try:
        thief.do_handshake()
        out['tls_handshake'] = 'done'
    except (ssl.SSLError, OSError):
        out['tls_handshake'] = 'failed'
    try:
        ftp.voidresp()
        out['tls_final'] = '226'
    except ftplib.all_errors as e:
        out['tls_final'] = str(e)[:3]
except ftplib.error_temp as e:
    out['tls_retr'] = str(e)[:3]
out['tls_thief_bytes'] = drain(thief)
out['tls_again'] = retr(ftp)
ftp.quit()

# A client that cannot resume still works under prefer.
ftp = ftplib.FTP_TLS(context=ctx)
ftp.connect('127.0.0.1', port, timeout=20)
ftp.login('u', 'p')
ftp.prot_p()
out['no_resume'] = [retr(ftp) for _ in range(2)]
ftp.quit()
print(json.dumps(out))
`;

const STARVE = `
import ftplib, json, os, time
port = int(os.environ['FTP_PORT'])
sessions = []
for i in range(8):
    ftp = ftplib.FTP()
    ftp.connect('127.0.0.1', port, timeout=20)
    ftp.login('u', 'p')
    sessions.append(ftp)
def pasv(ftp):
    try:
        return ftp.sendcmd('PASV')[:3]
    except ftplib.error_temp as e:
        return str(e)[:3]
burst = [pasv(f) for f in sessions]
# Ports kept past the 2 s grace without a data connection count against the caps.
time.sleep(2.5)
codes = [pasv(f) for f in sessions]
# A session still holding repeats PASV: it keeps one port only.
repeat = [pasv(sessions[-1]) for _ in range(10)]
print(json.dumps({'burst': burst, 'codes': codes, 'repeat': repeat}))
`;

describe.skipIf(!hasPython)('ftpkit-server: passive data theft and port starvation (issue 14.4, 14.11)', () => {
  it('random default ports, no data to a same-address thief (plain and PROT P under prefer), ftplib still works', async () => {
    if (!programReady()) return;
    const root = mkdtempSync(join(tmpdir(), 'ftpkit-pasv-'));
    writeFileSync(join(root, 'secret.bin'), Buffer.alloc(SECRET_SIZE, 7));
    const server = await startProgram(['--root', root, '--tls', 'self-signed', '--tls-dir', mkdtempSync(join(tmpdir(), 'ftpkit-tls-')), '--user', 'u:p'], programEnv());
    try {
      const { stderr, result } = await python(ATTACKS, server.port);
      expect(stderr).toBe('');
      const ports = result.ports as number[];
      // Outside the kernel's ephemeral range (Linux), where outgoing connections and TIME_WAIT live.
      const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
      expect(ports.every((p) => (p < lo || p > hi) && p >= 1024)).toBe(true);
      const steps = ports.slice(1).map((p, i) => p - ports[i]!);
      expect(steps.every((d) => d > 0) || steps.every((d) => d < 0)).toBe(false);
      expect(result.plain_retr).toBe('425');
      expect(result.plain_thief_bytes).toBe(0);
      expect(result.plain_victim_bytes).toBe(0);
      expect(result.plain_again).toBe(SECRET_SIZE);
      expect(result.tls_first).toBe(SECRET_SIZE);
      expect(result.tls_thief_bytes).toBe(0);
      expect(result.tls_retr === '425' || result.tls_final === '425').toBe(true);
      expect(result.tls_again).toBe(SECRET_SIZE);
      expect(result.no_resume).toEqual([SECRET_SIZE, SECRET_SIZE]);
      expect(server.stderr()).toMatch(/second data connection from the client address/);
    } finally {
      await server.stop();
    }
  });

  it('with --pasv-ports of 16, a burst is served, but one address keeps at most 4 unused ports; the rest get 425 and a warning', async () => {
    if (!programReady()) return;
    const root = mkdtempSync(join(tmpdir(), 'ftpkit-pasv-'));
    const base = 20_000 + Math.floor(Math.random() * 9_000);
    const server = await startProgram(['--root', root, '--user', 'u:p', '--pasv-ports', `${base}-${base + 15}`], programEnv());
    try {
      const { stderr, result } = await python(STARVE, server.port);
      expect(stderr).toBe('');
      expect(result.burst).toEqual(Array(8).fill('227'));
      expect(result.codes).toEqual(['425', '425', '425', '425', '227', '227', '227', '227']);
      expect(result.repeat).toEqual(Array(10).fill('227'));
      expect(server.stderr()).toMatch(/PASV\/EPSV refused \(425\)/);
    } finally {
      await server.stop();
    }
  });
});
