/**
 * Scale-out behind a real load balancer: HAProxy (Debian's) in TCP mode with `send-proxy-v2` in
 * front of two built ftpkit-server instances on 127.0.0.2 and 127.0.0.3 sharing one S3 bucket
 * (s3rver, `--storage s3`). The configuration written here is the one docs/deployment.md shows.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3rver, type S3rverProcess } from '@ftpkit/storage-s3/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Env } from '../src/test-support/s3-program.js';

const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');
const CLIENTS = join(import.meta.dirname, 'haproxy-clients.py');
const PYTHON = '/usr/bin/python3';
const BALANCER_SOURCE = '127.0.0.10';
const USER = 'lb';
const PASS = 'lb-secret';
const BUCKET = 'ftpkit-lb';

/** A PROXY v2 header, PROXY command, TCP over IPv4 (proxy-protocol.txt §2.2), as a balancer would send it. */
function proxyV2(src: string, srcPort: number, dst: string, dstPort: number): Buffer {
  const head = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 12]);
  const body = Buffer.alloc(12);
  Buffer.from(src.split('.').map(Number)).copy(body, 0);
  Buffer.from(dst.split('.').map(Number)).copy(body, 4);
  body.writeUInt16BE(srcPort, 8);
  body.writeUInt16BE(dstPort, 10);
  return Buffer.concat([head, body]);
}

function haveHaproxy(): boolean {
  const ok = spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CI) throw new Error('haproxy is missing: run `pnpm test:setup` to install the test programs');
  return ok;
}

/** A port free on `host` right now (bound and released). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** `count` consecutive ports free on `host`, from a random base (bounded tries). */
async function freeRange(host: string, count: number): Promise<[number, number]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 30_000 + Math.floor(Math.random() * 25_000);
    const servers: ReturnType<typeof createServer>[] = [];
    let ok = true;
    for (let p = base; p < base + count && ok; p++) {
      const s = createServer();
      ok = await new Promise<boolean>((resolve) => {
        s.once('error', () => resolve(false));
        s.listen(p, host, () => resolve(true));
      });
      if (ok) servers.push(s);
    }
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    if (ok) return [base, base + count - 1];
  }
  throw new Error(`no ${count} free consecutive ports on ${host}`);
}

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  io: { out: string; err: string };
  waitFor(re: RegExp, which?: 'out' | 'err', ms?: number): Promise<RegExpExecArray>;
}

function startProc(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Proc {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, FTPKIT_LOG_FORMAT: 'json' } });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const io = { out: '', err: '' };
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (io.out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (io.err += d));
  const waitFor = (re: RegExp, which: 'out' | 'err' = 'out', ms = 15_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const check = (): void => {
        const m = re.exec(io[which]);
        if (m) resolve(m);
        else if (Date.now() - started > ms) reject(new Error(`timed out waiting for ${re}; stdout: ${io.out} stderr: ${io.err.slice(-3000)}`));
        else setTimeout(check, 50);
      };
      check();
    });
  return { child, exited, io, waitFor };
}

function httpStatus(host: string, port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host, port, path: '/', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

function runClients(args: string[], timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [CLIENTS, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`clients failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

/** What a direct connection (not through the balancer) gets: bytes until close, bounded. */
function direct(host: string, port: number, localAddress: string, send: Uint8Array | undefined): Promise<{ text: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let text = '';
    const s = connect({ host, port, localAddress }, () => {
      if (send !== undefined) s.write(send);
    });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ text, closed: false, ms: Date.now() - t0 });
    }, 12_000);
    s.on('data', (b: Buffer) => (text += b.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true, ms: Date.now() - t0 });
    });
  });
}

interface Instance {
  host: string;
  port: number;
  health: number;
  pasv: [number, number];
  proc: Proc;
}

describe('ftpkit-server behind HAProxy (PROXY v2, per-instance PASV, health, drain)', () => {
  let enabled = false;
  let work = '';
  let s3: S3rverProcess | undefined;
  let haproxy: Proc | undefined;
  let lbPort = 0;
  const instances: Instance[] = [];
  const bigData = randomBytes(3 * 1024 * 1024);
  const bigSha = createHash('sha256').update(bigData).digest('hex');

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build with \`pnpm turbo run build --filter @ftpkit/ftpkit-server...\` (pnpm test does)`);
    if (spawnSync(PYTHON, ['-c', 'import ftplib'], { stdio: 'ignore' }).status !== 0) {
      if (process.env.CI) throw new Error('python3 is missing: run `pnpm test:setup` to install the test programs');
      return;
    }
    if (!haveHaproxy()) return;
    if (spawnSync('curl', ['--version'], { stdio: 'ignore' }).status !== 0) {
      if (process.env.CI) throw new Error('curl is missing: run `pnpm test:setup` to install the test programs');
      return;
    }
    enabled = true;
    work = mkdtempSync(join(tmpdir(), 'ftpkit-haproxy-'));
    // One shared store for both instances: one bucket on s3rver.
    s3 = await startS3rver({ buckets: [BUCKET] });
    writeFileSync(join(work, 'big.bin'), bigData);
    // Every client comes from 127.0.0.1: the per-IP limit counts the PROXY header's address.
    writeFileSync(join(work, 'ftpkit.yaml'), 'limits:\n  maxConnectionsPerIp: 200\n  loginFailureDelayMs: 10\n');
    for (const host of ['127.0.0.2', '127.0.0.3']) {
      const pasv = await freeRange(host, 40);
      const proc = startProc(
        process.execPath,
        [
          MAIN,
          ...['--config', join(work, 'ftpkit.yaml'), '--host', host, '--port', '0', '--user', `${USER}:${PASS}`],
          ...['--storage', 's3', '--s3-bucket', BUCKET, '--s3-endpoint', s3.endpoint, '--s3-region', 'us-east-1', '--s3-force-path-style'],
          ...['--proxy-protocol', 'v2', '--proxy-trusted', `${BALANCER_SOURCE}/32`],
          ...['--pasv-address', host, '--pasv-ports', `${pasv[0]}-${pasv[1]}`],
          ...['--health', `${host}:0`, '--grace-ms', '30000', '--drain-delay-ms', '1500'],
        ],
        work,
        s3Env({ FTPKIT_LOG_LEVEL: 'info' }),
      );
      const port = Number((await proc.waitFor(/listening on [\d.]+:(\d+)/))[1]);
      const health = Number((await proc.waitFor(/health: http:\/\/[\d.]+:(\d+)\//))[1]);
      instances.push({ host, port, health, pasv, proc });
    }
    lbPort = await freePort('127.0.0.1');
    const cfg = [
      'global',
      '  maxconn 1000',
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 60s',
      '  timeout server 60s',
      // A busy instance may answer its health check late; only a 503 (or 3 s of silence) marks it down.
      '  timeout check 3s',
      '  retries 3',
      '  option redispatch',
      'frontend ftp',
      `  bind 127.0.0.1:${lbPort}`,
      '  default_backend ftpkit',
      'backend ftpkit',
      '  balance roundrobin',
      '  option httpchk GET /',
      `  default-server send-proxy-v2 source ${BALANCER_SOURCE} inter 200ms fall 2 rise 2`,
      ...instances.map((inst, i) => `  server ftp${i + 1} ${inst.host}:${inst.port} check port ${inst.health}`),
      '',
    ].join('\n');
    writeFileSync(join(work, 'haproxy.cfg'), cfg);
    haproxy = startProc('haproxy', ['-f', join(work, 'haproxy.cfg'), '-db'], work);
    // Up once the frontend accepts and a session through it is greeted.
    const started = Date.now();
    for (;;) {
      const r = await direct('127.0.0.1', lbPort, '127.0.0.1', undefined).catch(() => undefined);
      if (r?.text.startsWith('220') === true || Date.now() - started > 15_000) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    // The drain test's big file, uploaded through the balancer by curl (PASV with its address: layout A).
    const put = spawnSync(
      'curl',
      ['-sS', '--max-time', '60', '--disable-epsv', '--no-ftp-skip-pasv-ip', '-T', join(work, 'big.bin'), `ftp://${USER}:${PASS}@127.0.0.1:${lbPort}/big.bin`],
      { encoding: 'utf8' },
    );
    if (put.status !== 0) throw new Error(`curl upload through HAProxy failed: ${put.stderr}`);
  }, 60_000);

  afterAll(async () => {
    if (haproxy?.child.pid !== undefined && haproxy.child.exitCode === null) process.kill(haproxy.child.pid, 'SIGTERM');
    for (const inst of instances) if (inst.proc.child.pid !== undefined && inst.proc.child.exitCode === null) process.kill(inst.proc.child.pid, 'SIGKILL');
    await Promise.all([haproxy?.exited, ...instances.map((i) => i.proc.exited)]);
    await s3?.stop();
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  it('50 clients round-robin: upload, list, download (sha256) and rename; each PASV names its own instance', async () => {
    if (!enabled) return;
    const out = (await runClients(['roundrobin', '127.0.0.1', String(lbPort), USER, PASS, '50'], 120_000)) as {
      clients: Array<{ ok: boolean; error?: string; upload: [string, number]; download: [string, number] }>;
    };
    const failed = out.clients.filter((c) => !c.ok);
    // Run as root (as the tests are here), the program's RUNNING AS ROOT warning is expected.
    const serverErrors = instances.flatMap((inst) => inst.proc.io.err.split('\n').filter((l) => /"level":(40|50)/.test(l) && !/PROXY|RUNNING AS ROOT/.test(l)));
    expect({ failed, serverErrors: serverErrors.slice(0, 10) }, `haproxy: ${haproxy?.io.err.slice(-3000)}`).toEqual({ failed: [], serverErrors: [] });
    const inRange = (pasv: [string, number]): boolean =>
      instances.some((inst) => inst.host === pasv[0] && pasv[1] >= inst.pasv[0] && pasv[1] <= inst.pasv[1]);
    for (const c of out.clients) {
      expect(inRange(c.upload)).toBe(true);
      expect(inRange(c.download)).toBe(true);
    }
    const hosts = new Set(out.clients.flatMap((c) => [c.upload[0], c.download[0]]));
    expect(hosts).toEqual(new Set(['127.0.0.2', '127.0.0.3']));
    // Files uploaded through one instance were downloaded and renamed through the other.
    const crossed = out.clients.filter((c) => c.upload[0] !== c.download[0]).length;
    expect(crossed).toBeGreaterThanOrEqual(10);
    // Both instances logged the client's address (from the PROXY header) and the balancer's.
    for (const inst of instances) expect(inst.proc.io.err).toMatch(/"ip":"127\.0\.0\.1","port":\d+,"via":"127\.0\.0\.10"/);
  }, 180_000);

  it('anti-hijack: a PASV data connection from an address other than the one in the PROXY header is dropped', async () => {
    if (!enabled) return;
    const out = (await runClients(['hijack', '127.0.0.1', String(lbPort), USER, PASS], 60_000)) as {
      foreignDropped: boolean;
      mark: string;
      final: string;
      pasv: [string, number];
    };
    expect(out.foreignDropped).toBe(true);
    expect(out.mark).toBe('150');
    expect(out.final).toBe('226');
    const inst = instances.find((i) => i.host === out.pasv[0]);
    await inst?.proc.waitFor(/anti-hijack/, 'err', 5_000);
  }, 60_000);

  it('refuses a connection without a PROXY header, and a header from an untrusted address', async () => {
    if (!enabled) return;
    const b = instances[1] as Instance;
    const header = proxyV2('198.51.100.9', 4000, b.host, b.port);
    const [noHeader, plainFtp, untrusted] = await Promise.all([
      direct(b.host, b.port, '127.0.0.10', undefined),
      direct(b.host, b.port, '127.0.0.10', Buffer.from('USER lb\r\n')),
      direct(b.host, b.port, '127.0.0.1', header),
    ]);
    // Silence and then a close after the 5 s header timeout; plain FTP and untrusted at once.
    expect(noHeader).toMatchObject({ text: '', closed: true });
    expect(noHeader.ms).toBeGreaterThanOrEqual(4_000);
    expect(plainFtp).toMatchObject({ text: '', closed: true });
    expect(untrusted).toMatchObject({ text: '', closed: true });
    expect(untrusted.ms).toBeLessThan(3_000);
    expect(b.proc.io.err).toMatch(/refused: no valid PROXY protocol header/);
    expect(b.proc.io.err).toMatch(/"ip":"127\.0\.0\.1","port":\d+.*refused: PROXY protocol connection from an untrusted address/);
  }, 60_000);

  it('drain: SIGTERM turns health 503, HAProxy stops sending sessions, running transfers finish, no hard failure', async () => {
    if (!enabled) return;
    const [a, b] = instances as [Instance, Instance];
    expect(await httpStatus(a.host, a.health)).toBe(200);
    const clients = runClients(['drain', '127.0.0.1', String(lbPort), USER, PASS, '12', '16', bigSha], 180_000);
    await new Promise((r) => setTimeout(r, 4_000));
    const sigterm = Date.now() / 1000;
    a.proc.child.kill('SIGTERM');
    let status = 0;
    for (let i = 0; i < 50 && status !== 503; i++) {
      status = await httpStatus(a.host, a.health);
      if (status !== 503) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(503);
    const out = (await clients) as {
      ops: Array<{ kind?: string; start?: number; end: number; pasv?: [string, number]; retryable?: string }>;
      hard: Array<{ error: string }>;
    };
    expect(await a.proc.exited).toBe(0);
    if (process.env.FTPKIT_HAPROXY_DEBUG) {
      writeFileSync(
        process.env.FTPKIT_HAPROXY_DEBUG,
        JSON.stringify({ sigterm, out, aErr: a.proc.io.err.split('\n').filter((l) => !/"transfer end"/.test(l)).slice(-200), bErr: b.proc.io.err.split('\n').filter((l) => /refused|error/.test(l)).slice(-100), haproxy: haproxy?.io }, null, 1),
      );
    }
    expect(out.hard, `haproxy: ${haproxy?.io.err.slice(-3000)}`).toEqual([]);
    const done = out.ops.filter((o) => o.kind !== undefined);
    // Transfers running on A when it got SIGTERM completed (sha256 checked by the client).
    const spanning = done.filter((o) => o.pasv?.[0] === a.host && (o.start ?? 0) < sigterm && o.end > sigterm);
    expect(spanning.length, `haproxy: ${haproxy?.io.err.slice(-3000)}`).toBeGreaterThan(0);
    // ... some of them after the listener closed (drain delay 1.5 s), inside the grace period.
    expect(spanning.some((o) => o.end > sigterm + 1.6)).toBe(true);
    // Sessions begun once HAProxy saw the 503 twice (drain delay 1.5 s, checks every 200 ms) all went to B.
    const late = done.filter((o) => (o.start ?? 0) > sigterm + 1.2);
    expect(late.length).toBeGreaterThan(0);
    expect(late.filter((o) => o.pasv?.[0] !== b.host)).toEqual([]);
    // Retryable replies (421 to idle sessions) may happen; each was retried and then succeeded.
    for (const r of out.ops.filter((o) => o.retryable !== undefined)) expect(r.retryable).toMatch(/^4\d\d/);
    expect(a.proc.io.err).toMatch(/"signal":"SIGTERM","msg":"draining/);
  }, 240_000);
});
