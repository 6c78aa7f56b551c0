/**
 * Child process: the Node floor — the least a Node FTP server can do per transfer on this machine.
 * USER/PASS/TYPE/PASV/EPSV/RETR/STOR/LIST/QUIT (plus the CWD/PWD/SIZE the clients send first) with
 * no checks, no storage layer and no logging: `fs.readFile` then `socket.end(data)` for a small
 * file, streams for a big one, `setNoDelay` on the control socket, one fresh listener per PASV on
 * the next port of its range. Not a server to use: it trusts every path and every password.
 * Arguments: port root pasvMin pasvMax.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { posix, join } from 'node:path';

const [portText, root, minText, maxText] = process.argv.slice(2);
if (!portText || !root || !minText || !maxText) {
  process.stderr.write('usage: node-floor-server PORT ROOT PASV_MIN PASV_MAX\n');
  process.exit(2);
}
const pasvMin = Number(minText);
const pasvMax = Number(maxText);
let nextPort = pasvMin;
const HOST = '127.0.0.1';
/** Files up to this size are read in one call; larger ones are streamed. */
const SMALL = 1 << 20;

/** The next port of the range that binds (ports in use or refused are skipped, at most one lap). */
async function listenPassive(): Promise<Server> {
  for (let tries = 0; tries <= pasvMax - pasvMin; tries++) {
    const port = nextPort;
    nextPort = nextPort >= pasvMax ? pasvMin : nextPort + 1;
    const srv = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      srv.once('error', () => resolve(false));
      srv.listen(port, HOST, () => resolve(true));
    });
    if (ok) return srv;
  }
  throw new Error('no free passive port');
}

function session(control: Socket): void {
  control.setNoDelay(true);
  let cwd = '/';
  let listener: Server | undefined;
  let data: Promise<Socket> | undefined;
  let buffered = '';
  let busy = false;
  const queue: string[] = [];
  const ended = new WeakSet<Socket>();
  const reply = (text: string): void => void control.write(`${text}\r\n`);
  const host = (p: string): string => join(root as string, posix.resolve(cwd, p));

  const passive = async (extended: boolean): Promise<void> => {
    listener?.close();
    const srv = await listenPassive();
    listener = srv;
    data = new Promise<Socket>((resolve) => srv.once('connection', (s) => { srv.close(); resolve(s); }));
    data.catch(() => undefined);
    const port = (srv.address() as AddressInfo).port;
    reply(extended ? `229 Entering Extended Passive Mode (|||${port}|)` : `227 Entering Passive Mode (127,0,0,1,${port >> 8},${port & 255})`);
  };

  const takeData = (): Promise<Socket> => {
    const d = data;
    data = undefined;
    listener = undefined;
    if (!d) throw new Error('no PASV');
    return d;
  };

  /** Ends the transfer: 226 once the socket flushed, 426 if it failed. */
  const finish = (socket: Socket, ok: boolean): void => {
    if (ended.has(socket)) return;
    ended.add(socket);
    socket.destroy();
    reply(ok ? '226 Transfer complete' : '426 Transfer failed');
  };

  const send = (socket: Socket, bytes: Buffer | string): Promise<void> =>
    new Promise((resolve) => {
      socket.once('error', () => { finish(socket, false); resolve(); });
      socket.end(bytes, () => { finish(socket, true); resolve(); });
    });

  const retr = async (arg: string): Promise<void> => {
    const path = host(arg);
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) { reply('550 No such file'); return; }
    const d = takeData();
    reply('150 Opening data connection');
    if (st.size <= SMALL) {
      const [socket, bytes] = await Promise.all([d, readFile(path)]);
      await send(socket, bytes);
      return;
    }
    const socket = await d;
    const src = createReadStream(path, { highWaterMark: 1 << 20 });
    await new Promise<void>((resolve) => {
      socket.once('finish', () => { finish(socket, true); resolve(); });
      src.once('error', () => { finish(socket, false); resolve(); });
      socket.once('error', () => { finish(socket, false); resolve(); });
      src.pipe(socket);
    });
  };

  const stor = async (arg: string): Promise<void> => {
    const d = takeData();
    reply('150 Opening data connection');
    const socket = await d;
    const out = createWriteStream(host(arg));
    socket.pipe(out);
    await new Promise<void>((resolve) => {
      out.once('finish', () => { finish(socket, true); resolve(); });
      out.once('error', () => { finish(socket, false); resolve(); });
    });
  };

  const list = async (arg: string): Promise<void> => {
    const dir = host(arg.startsWith('-') ? '.' : arg || '.');
    const d = takeData();
    reply('150 Opening data connection');
    const names = await readdir(dir).catch(() => [] as string[]);
    const lines = await Promise.all(names.map(async (n) => {
      const st = await stat(join(dir, n)).catch(() => undefined);
      if (!st) return '';
      const kind = st.isDirectory() ? 'd' : '-';
      return `${kind}rw-r--r-- 1 ftp ftp ${st.size} Jan  1 00:00 ${n}\r\n`;
    }));
    await send(await d, lines.join(''));
  };

  const handle = async (line: string): Promise<void> => {
    const space = line.indexOf(' ');
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const arg = space < 0 ? '' : line.slice(space + 1);
    switch (verb) {
      case 'USER': return reply('331 Password required');
      case 'PASS': return reply('230 Logged in');
      case 'TYPE': return reply('200 Type set');
      case 'SYST': return reply('215 UNIX Type: L8');
      case 'PWD': return reply(`257 "${cwd}"`);
      case 'CWD': cwd = posix.resolve(cwd, arg); return reply('250 OK');
      case 'SIZE': {
        const st = await stat(host(arg)).catch(() => undefined);
        return reply(st ? `213 ${st.size}` : '550 No such file');
      }
      case 'PASV': return passive(false);
      case 'EPSV': return passive(true);
      case 'RETR': return retr(arg);
      case 'STOR': return stor(arg);
      case 'LIST': case 'NLST': return list(arg);
      case 'QUIT': reply('221 Bye'); control.end(); return;
      default: return reply('502 Not implemented');
    }
  };

  // One command at a time, in order (a transfer's 226 comes before the next command's reply).
  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (queue.length > 0) {
      const line = queue.shift() as string;
      try { await handle(line); } catch { reply('451 Failed'); }
    }
    busy = false;
  };

  control.setEncoding('utf8');
  control.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      queue.push(buffered.slice(0, nl).replace(/\r$/, ''));
      buffered = buffered.slice(nl + 1);
    }
    void pump();
  });
  control.on('error', () => undefined);
  control.on('close', () => listener?.close());
  reply('220 node-floor');
}

const server = createServer(session);
server.listen(Number(portText), HOST, () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
