import { PYTHON } from '@ftpkit/test-servers';
import { HOST } from './servers/bench-server.js';

/** Login every client uses. */
export interface Login {
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

function url(l: Login, path: string): string {
  return `ftp://${encodeURIComponent(l.user)}:${encodeURIComponent(l.password)}@${HOST}:${l.port}${path}`;
}

/** curl's flags for explicit TLS (AUTH TLS, PROT P) with the bench's self-signed certificate. */
const CURL_TLS = ['--ssl-reqd', '-k'];
/**
 * Uploads over TLS 1.2: vsftpd 3.0.3 answers 426 to a share of curl 7.88's TLS 1.3 uploads (11 of
 * 50 here; none of 70 over TLS 1.2, none from pure-ftpd either way), which would drop its runs.
 * Every server's STOR row uses the same setting; downloads keep the TLS 1.3 curl and the ftpkit
 * clients negotiate by default.
 */
const CURL_TLS_UPLOAD = [...CURL_TLS, '--tls-max', '1.2'];

/** curl downloading `remote` to `local` (use /dev/null to discard); with `tls`, over explicit TLS. */
export function curlGet(l: Login, remote: string, local: string, tls = false): [string, string[]] {
  return ['curl', ['-sS', '--fail', ...(tls ? CURL_TLS : []), '-o', local, url(l, remote)]];
}

/** curl uploading `local` to `remote`; with `tls`, over explicit TLS 1.2. */
export function curlPut(l: Login, local: string, remote: string, tls = false): [string, string[]] {
  return ['curl', ['-sS', '--fail', ...(tls ? CURL_TLS_UPLOAD : []), '-T', local, url(l, remote)]];
}

/** lftp running `commands` after logging in; fails on the first failing command, no retries. */
export function lftp(l: Login, commands: string): [string, string[]] {
  const settings = 'set cmd:fail-exit yes; set ftp:ssl-allow no; set net:max-retries 1; set net:persist-retries 0; '
    + 'set net:timeout 60; set xfer:clobber yes; set cmd:interactive no';
  return ['lftp', ['-c', `${settings}; open -u ${l.user},${l.password} -p ${l.port} ${HOST}; ${commands}`]];
}

const FTPLIB_SMALL = `
import ftplib, sys
host, port, user, pw, d, n = sys.argv[1:7]
f = ftplib.FTP()
f.connect(host, int(port), timeout=60)
f.login(user, pw)
f.cwd(d)
sink = lambda b: None
for i in range(int(n)):
    f.retrbinary('RETR f%05d.bin' % i, sink)
f.quit()
`;

/** Python ftplib fetching `count` small files (named f00000.bin…) in one session. */
export function ftplibSmall(l: Login, dir: string, count: number): [string, string[]] {
  return [PYTHON, ['-c', FTPLIB_SMALL, HOST, String(l.port), l.user, l.password, dir, String(count)]];
}

const FTPLIB_UPLOAD = `
import ftplib, os, sys
host, port, user, pw, root = sys.argv[1:6]
f = ftplib.FTP()
f.connect(host, int(port), timeout=120)
f.login(user, pw)
for d in ('/small', '/up'):
    try:
        f.mkd(d)
    except ftplib.error_perm:
        pass
def put(local, remote):
    with open(local, 'rb') as fh:
        f.storbinary('STOR ' + remote, fh, blocksize=1 << 20)
put(os.path.join(root, 'big.bin'), '/big.bin')
put(os.path.join(root, 'load.bin'), '/load.bin')
for name in sorted(os.listdir(os.path.join(root, 'small'))):
    put(os.path.join(root, 'small', name), '/small/' + name)
f.quit()
`;

/** Python ftplib copying the data set's root into a server that keeps its own files. */
export function ftplibUpload(l: Login, root: string): [string, string[]] {
  return [PYTHON, ['-c', FTPLIB_UPLOAD, HOST, String(l.port), l.user, l.password, root]];
}
