import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, PYTHON } from '@ftpkit/test-servers';
import { allocatePasvRange, HOST, launch, type BenchServer, type ServerContext } from './bench-server.js';

// pyftpdlib's own single-process async server, as its README starts it; per-command logging is
// turned down to warnings so it does not pay for log lines the other servers don't write.
const SCRIPT = `
import logging, sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
host, port, root, user, password, pmin, pmax = sys.argv[1:8]
logging.basicConfig(level=logging.WARNING)
auth = DummyAuthorizer()
auth.add_user(user, password, root, perm='elradfmwMT')
class H(FTPHandler):
    pass
H.authorizer = auth
H.passive_ports = range(int(pmin), int(pmax) + 1)
H.banner = 'ftpkit bench pyftpdlib'
H.timeout = 600
srv = FTPServer((host, int(port)), H)
srv.max_cons = 0
srv.max_cons_per_ip = 0
srv.serve_forever(handle_exit=True)
`;

/** pyftpdlib through /usr/bin/python3 (Debian's python3-pyftpdlib). */
export async function startPyftpdlib(ctx: ServerContext): Promise<BenchServer> {
  const dir = join(ctx.workDir, 'pyftpdlib');
  await mkdir(dir, { recursive: true });
  const script = join(dir, 'server.py');
  await writeFile(script, SCRIPT);
  const port = await freePort(HOST);
  const [pmin, pmax] = await allocatePasvRange(ctx.pasvPorts);
  const { pid, stop } = await launch('pyftpdlib', PYTHON, [script, HOST, String(port), ctx.root, ctx.user, ctx.password, String(pmin), String(pmax)], port);
  return { name: 'pyftpdlib', ftpkit: false, port, pid, diskRoot: ctx.root, stop };
}
