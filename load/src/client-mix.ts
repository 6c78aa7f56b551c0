import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { FtpConnection } from './ftp-connection.js';
import { LatencyLog } from './stats.js';

/** Every kind of operation the clients mix. */
export const OPERATIONS = ['STOR', 'RETR', 'APPE', 'REST+RETR', 'LIST', 'MLSD', 'RNFR/RNTO', 'DELE', 'MKD', 'RMD'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** What every client did, summed; compared with the server's /metrics afterwards. */
export class Tally {
  readonly latency = new Map<Operation, LatencyLog>(OPERATIONS.map((op) => [op, new LatencyLog()]));
  readonly failures: string[] = [];
  failureCount = 0;
  operations = 0;
  sessions = 0;
  logins = 0;
  uploads = 0;
  downloads = 0;
  listings = 0;
  bytesUp = 0;
  bytesDown = 0;
  listBytes = 0;
  /** Bytes compared by sha256 with what was sent. */
  bytesVerified = 0;

  done(op: Operation, ms: number): void {
    this.operations++;
    this.latency.get(op)?.add(ms);
  }

  fail(what: string): void {
    this.failureCount++;
    if (this.failures.length < 20) this.failures.push(what);
  }
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Weighted choice of the next operation (weights sum to 100). */
const WEIGHTS: ReadonlyArray<[Operation | 'MKD/RMD', number]> = [
  ['STOR', 22],
  ['RETR', 22],
  ['APPE', 8],
  ['REST+RETR', 10],
  ['LIST', 8],
  ['MLSD', 8],
  ['RNFR/RNTO', 8],
  ['DELE', 8],
  ['MKD/RMD', 6],
];

function fileSize(rng: () => number): number {
  const r = rng();
  if (r < 0.7) return Math.floor(rng() * 16 * 1024);
  if (r < 0.95) return 16 * 1024 + Math.floor(rng() * 112 * 1024);
  return 128 * 1024 + Math.floor(rng() * 896 * 1024);
}

function pick<T>(rng: () => number, items: readonly T[]): T | undefined {
  return items[Math.floor(rng() * items.length)];
}

function listedNames(listing: string, mlsd: boolean): string[] {
  const names: string[] = [];
  for (const line of listing.split('\r\n')) {
    if (line === '') continue;
    if (mlsd) {
      const space = line.indexOf(' ');
      if (/(^|;)type=file;/i.test(line.slice(0, space + 1))) names.push(line.slice(space + 1));
    } else if (line.startsWith('-')) {
      names.push(line.split(/\s+/).at(-1) ?? '');
    }
  }
  return names.sort();
}

export interface ClientOptions {
  port: number;
  user: string;
  password: string;
  /** The client's own directory, created first. */
  dir: string;
  /** Stop starting operations after this `performance.now()` time. */
  until: number;
  rng: () => number;
  tally: Tally;
  /** Upper bound of the random pause between operations, ms. */
  thinkMs: number;
  /** Reply timeout, ms. */
  timeoutMs: number;
}

/**
 * One client: log in, make its directory, then a seeded random mix of operations until `until`;
 * every download is compared by sha256 with what this client uploaded there, and every listing
 * with the files it holds. The first failure ends the client (and is counted).
 */
export async function runClient(o: ClientOptions): Promise<void> {
  const { tally, rng } = o;
  const files = new Map<string, Buffer>();
  let serial = 0;
  let conn: FtpConnection | undefined;
  let current = 'connect';
  try {
    conn = await FtpConnection.open(o.port, o.timeoutMs);
    tally.sessions++;
    current = 'login';
    await conn.login(o.user, o.password);
    tally.logins++;
    await conn.command(`MKD ${o.dir}`, [257]);
    await conn.command(`CWD ${o.dir}`, [250]);
    while (performance.now() < o.until) {
      const r = rng() * 100;
      let acc = 0;
      let choice: Operation | 'MKD/RMD' = 'STOR';
      for (const [op, w] of WEIGHTS) {
        acc += w;
        if (r < acc) {
          choice = op;
          break;
        }
      }
      const names = [...files.keys()];
      if (names.length === 0 && choice !== 'LIST' && choice !== 'MLSD' && choice !== 'MKD/RMD') choice = 'STOR';
      if (names.length >= 8 && choice === 'STOR') choice = 'DELE';
      const name = pick(rng, names) ?? '';
      current = `${choice} ${o.dir}/${name}`;
      const t0 = performance.now();
      switch (choice) {
        case 'STOR': {
          const target = names.length > 0 && rng() < 0.3 ? name : `f${serial++}.bin`;
          const data = randomBytes(fileSize(rng));
          current = `STOR ${o.dir}/${target}`;
          await conn.upload(`STOR ${target}`, data);
          files.set(target, data);
          tally.uploads++;
          tally.bytesUp += data.length;
          break;
        }
        case 'APPE': {
          const extra = randomBytes(Math.floor(rng() * 32 * 1024));
          await conn.upload(`APPE ${name}`, extra);
          files.set(name, Buffer.concat([files.get(name) ?? Buffer.alloc(0), extra]));
          tally.uploads++;
          tally.bytesUp += extra.length;
          break;
        }
        case 'RETR':
        case 'REST+RETR': {
          const expected = files.get(name) ?? Buffer.alloc(0);
          const offset = choice === 'RETR' || expected.length === 0 ? undefined : Math.floor(rng() * expected.length);
          const got = await conn.download(`RETR ${name}`, offset);
          const want = offset === undefined ? expected : expected.subarray(offset);
          if (got.length !== want.length || sha256(got) !== sha256(want)) {
            throw new Error(`sha256 mismatch: got ${got.length} bytes, want ${want.length}`);
          }
          tally.downloads++;
          tally.bytesDown += got.length;
          tally.bytesVerified += got.length;
          break;
        }
        case 'LIST':
        case 'MLSD': {
          const listing = await conn.download(choice);
          const got = listedNames(listing.toString('utf8'), choice === 'MLSD');
          const want = [...files.keys()].sort();
          if (got.join('/') !== want.join('/')) throw new Error(`listing shows [${got.join(', ')}], want [${want.join(', ')}]`);
          tally.listings++;
          tally.listBytes += listing.length;
          break;
        }
        case 'RNFR/RNTO': {
          const to = `f${serial++}.bin`;
          await conn.command(`RNFR ${name}`, [350]);
          await conn.command(`RNTO ${to}`, [250]);
          files.set(to, files.get(name) ?? Buffer.alloc(0));
          files.delete(name);
          break;
        }
        case 'DELE':
          await conn.command(`DELE ${name}`, [250]);
          files.delete(name);
          break;
        case 'MKD/RMD': {
          const d = `d${serial++}`;
          current = `MKD ${o.dir}/${d}`;
          await conn.command(`MKD ${d}`, [257]);
          tally.done('MKD', performance.now() - t0);
          const t1 = performance.now();
          current = `RMD ${o.dir}/${d}`;
          await conn.command(`RMD ${d}`, [250]);
          tally.done('RMD', performance.now() - t1);
          break;
        }
      }
      if (choice !== 'MKD/RMD') tally.done(choice, performance.now() - t0);
      if (o.thinkMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.floor(rng() * o.thinkMs)));
    }
    current = 'QUIT';
    await conn.quit();
  } catch (err) {
    tally.fail(`${current}: ${err instanceof Error ? err.message : String(err)}`);
    conn?.destroy();
  }
}

/** One churn session: connect, log in, one small upload, quit. */
export async function churnSession(port: number, user: string, password: string, name: string, data: Buffer, tally: Tally): Promise<void> {
  let conn: FtpConnection | undefined;
  try {
    const t0 = performance.now();
    conn = await FtpConnection.open(port, 30_000);
    tally.sessions++;
    await conn.login(user, password);
    tally.logins++;
    await conn.upload(`STOR ${name}`, data);
    tally.uploads++;
    tally.bytesUp += data.length;
    await conn.quit();
    tally.done('STOR', performance.now() - t0);
  } catch (err) {
    tally.fail(`churn ${name}: ${err instanceof Error ? err.message : String(err)}`);
    conn?.destroy();
  }
}
