/**
 * Child process: the load client for the session measurements (runs with a raised fd limit).
 *
 *   load-client burst HOST PORT USER PASSWORD CLIENTS SPREAD_MS FILE TIMEOUT_MS
 *     CLIENTS sessions of login + LIST + RETR FILE + QUIT; session i starts at i*SPREAD_MS/CLIENTS
 *     (SPREAD_MS 0: all released in the same tick). Prints one JSON line: {ok, failed, ms[], errors}.
 *   load-client idle HOST PORT USER PASSWORD COUNT CONCURRENCY TIMEOUT_MS
 *     Logs COUNT sessions in (at most CONCURRENCY connections in flight: 32 keeps vsftpd's accept queue, 32 deep, from overflowing) and holds them; prints
 *     `ready N` and keeps them until stdin closes or says anything, then exits.
 */
import { RawFtpSession } from '../raw-ftp-session.js';

const [mode, host = '', portText = '', user = '', password = '', ...rest] = process.argv.slice(2);
const port = Number(portText);

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { onTimeout(); reject(new Error(`timed out after ${ms} ms`)); }, ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function burst(clients: number, spreadMs: number, file: string, timeoutMs: number): Promise<void> {
  const ms: number[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  const one = async (): Promise<void> => {
    const t0 = performance.now();
    let session: RawFtpSession | undefined;
    try {
      await withTimeout((async () => {
        session = RawFtpSession.connect(host, port);
        await session.greeting();
        await session.login(user, password);
        await session.command('TYPE I', 2);
        await session.transfer('LIST');
        const n = await session.transfer(`RETR ${file}`);
        if (n <= 0) throw new Error('RETR returned no data');
        await session.quit();
      })(), timeoutMs, () => session?.close());
      ms.push(performance.now() - t0);
    } catch (err) {
      failed++;
      const key = (err as Error).message.slice(0, 80);
      errors[key] = (errors[key] ?? 0) + 1;
      session?.close();
    }
  };
  const all: Promise<void>[] = [];
  for (let i = 0; i < clients; i++) {
    const delay = spreadMs > 0 ? (i * spreadMs) / clients : 0;
    all.push(delay > 0 ? new Promise((r) => setTimeout(r, delay)).then(one) : one());
  }
  await Promise.all(all);
  // Exit rather than wait: a connection the server never accepted may still be open.
  process.stdout.write(`${JSON.stringify({ ok: ms.length, failed, ms, errors })}\n`, () => process.exit(0));
}

async function idle(count: number, concurrency: number, timeoutMs: number): Promise<void> {
  const sessions: RawFtpSession[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  const deadline = Date.now() + timeoutMs;
  const worker = async (): Promise<void> => {
    while (next < count && Date.now() < deadline) {
      next++;
      let s: RawFtpSession | undefined;
      try {
        await withTimeout((async () => {
          s = RawFtpSession.connect(host, port);
          await s.greeting();
          await s.login(user, password);
        })(), 30_000, () => s?.close());
        if (s) sessions.push(s);
      } catch (err) {
        const key = (err as Error).message.slice(0, 80);
        errors[key] = (errors[key] ?? 0) + 1;
        s?.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  process.stdout.write(`ready ${sessions.length} ${JSON.stringify(errors)}\n`);
  const release = (): void => { for (const s of sessions) s.close(); process.exit(0); };
  process.stdin.once('data', release);
  process.stdin.once('end', release);
  // Never hold the sessions longer than the timeout, whatever the parent does.
  setTimeout(release, timeoutMs).unref();
}

if (mode === 'burst') {
  const [clients = '0', spread = '0', file = '', timeout = '60000'] = rest;
  await burst(Number(clients), Number(spread), file, Number(timeout));
} else if (mode === 'idle') {
  const [count = '0', conc = '16', timeout = '120000'] = rest;
  await idle(Number(count), Number(conc), Number(timeout));
} else {
  process.stderr.write('usage: load-client burst|idle ...\n');
  process.exit(2);
}
