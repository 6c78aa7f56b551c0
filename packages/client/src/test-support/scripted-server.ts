import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** One control connection of the scripted server, seen from the script. */
export interface ScriptedConnection {
  socket: Socket;
  /** Index of this connection (0 for the first). */
  index: number;
  send(text: string): void;
  /** The next command line (IAC sequences removed), or undefined when the client closed. */
  next(): Promise<string | undefined>;
  /** A passive listener on 127.0.0.1; `accept()` gives the client's data socket. */
  listen(): Promise<{ port: number; accept: () => Promise<Socket>; close: () => void }>;
}

/** A tiny FTP server whose every reply is written by the test: for hostile and broken servers. */
export interface ScriptedServer {
  host: string;
  port: number;
  connections: number;
  close(): Promise<void>;
}

export async function startScriptedServer(script: (c: ScriptedConnection) => Promise<void>, host = '127.0.0.1'): Promise<ScriptedServer> {
  const sockets = new Set<Socket>();
  const servers = new Set<Server>();
  let count = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = '';
    const lines: string[] = [];
    let waiter: ((l: string | undefined) => void) | undefined;
    let ended = false;
    socket.on('data', (d: Buffer) => {
      // Drop TELNET IAC x pairs (IP, DM) the client puts before ABOR.
      buf += d.toString('latin1').replace(/\xff[\xf0-\xfe]/g, '');
      let at: number;
      while ((at = buf.indexOf('\n')) >= 0) {
        const line = Buffer.from(buf.slice(0, at).replace(/\r$/, ''), 'latin1').toString('utf8');
        buf = buf.slice(at + 1);
        if (waiter) {
          const w = waiter;
          waiter = undefined;
          w(line);
        } else lines.push(line);
      }
    });
    socket.on('close', () => {
      ended = true;
      waiter?.(undefined);
    });
    const conn: ScriptedConnection = {
      socket,
      index: count++,
      send: (text) => { if (!socket.destroyed) socket.write(text.endsWith('\n') ? text : `${text}\r\n`); },
      next: () => {
        const l = lines.shift();
        if (l !== undefined) return Promise.resolve(l);
        if (ended) return Promise.resolve(undefined);
        return new Promise((resolve) => { waiter = resolve; });
      },
      listen: async () => {
        const srv = createServer();
        servers.add(srv);
        const accepted: Socket[] = [];
        let want: ((s: Socket) => void) | undefined;
        srv.on('connection', (s) => {
          sockets.add(s);
          s.on('error', () => undefined);
          if (want) want(s);
          else accepted.push(s);
        });
        await new Promise<void>((r) => srv.listen(0, host, () => r()));
        return {
          port: (srv.address() as AddressInfo).port,
          accept: () => {
            const s = accepted.shift();
            if (s) return Promise.resolve(s);
            return new Promise((r) => { want = r; });
          },
          close: () => srv.close(),
        };
      },
    };
    script(conn).catch(() => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return {
    host,
    port: (server.address() as AddressInfo).port,
    get connections() { return count; },
    close: async () => {
      for (const s of sockets) s.destroy();
      for (const s of servers) s.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Greets, accepts any USER/PASS, answers FEAT with `features`, TYPE/PWD/NOOP; then calls `on` for the rest. */
export async function loginThen(
  c: ScriptedConnection,
  features: string[],
  on: (cmd: string, arg: string) => Promise<boolean | void>,
): Promise<void> {
  c.send('220 scripted');
  for (let i = 0; i < 10_000; i++) {
    const line = await c.next();
    if (line === undefined) return;
    const sp = line.indexOf(' ');
    const cmd = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
    const arg = sp < 0 ? '' : line.slice(sp + 1);
    if (cmd === 'USER') c.send('331 pass');
    else if (cmd === 'PASS') c.send('230 in');
    else if (cmd === 'FEAT') c.send(features.length ? ['211-Features:', ...features.map((f) => ` ${f}`), '211 End'].join('\r\n') : '211 no features');
    else if (cmd === 'TYPE') c.send('200 type ok');
    else if (cmd === 'PWD') c.send('257 "/" cwd');
    else if (cmd === 'NOOP') c.send('200 ok');
    else if (cmd === 'QUIT') {
      c.send('221 bye');
      c.socket.end();
      return;
    } else if ((await on(cmd, arg)) === false) c.send('502 not here');
  }
}
