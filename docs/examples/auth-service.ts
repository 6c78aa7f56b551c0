import { createServer, type Server } from 'node:http';

/** What --auth-url gets: POST, JSON. */
interface LoginRequest {
  user: string;
  password: string;
  remoteAddress: string;
  tls: boolean;
}

// A real service asks its user database and compares password hashes.
const USERS = new Map([['carol', { password: 'carol-password', root: 'carol', readOnly: false, quotaBytes: 1_000_000_000 }]]);

/** An external authentication service for `ftpkit-server --auth-url http://127.0.0.1:8081/ftp-login`. */
export function startAuthService(port = 8081): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const login = JSON.parse(body) as LoginRequest;
      const known = USERS.get(login.user);
      if (known === undefined || known.password !== login.password) {
        res.writeHead(401).end(); // 530 Login incorrect.
        return;
      }
      const { password: _checked, ...settings } = known;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: login.user, ...settings }));
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
