"""FTP clients (Python's ftplib) for the HAProxy scale-out test; prints one JSON document.

Usage: haproxy-clients.py MODE HOST PORT USER PASSWORD [ARGS...]
  roundrobin N      N clients at once: upload, list, (new session) download + sha256, rename, list
  hijack            PASV through the balancer; a data connection from 127.0.0.7 must be dropped
  drain SECONDS N   N clients loop slow downloads and uploads for SECONDS, retrying on 4xx replies
Every session records the address and port its PASV reply announced (= the instance serving it).
"""
import ftplib
import hashlib
import io
import json
import os
import socket
import sys
import threading
import time

MODE, HOST, PORT, USER, PASSWORD = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
ARGS = sys.argv[6:]


class Recorder(ftplib.FTP):
    """PASV only (EPSV names no host, see docs/deployment.md), trusting the 227 address."""

    trust_server_pasv_ipv4_address = True

    def __init__(self):
        super().__init__(timeout=30)
        self.pasv = []

    def makepasv(self):
        host, port = super().makepasv()
        self.pasv.append([host, port])
        return host, port


def session():
    ftp = Recorder()
    ftp.connect(HOST, PORT)
    ftp.login(USER, PASSWORD)
    ftp.set_pasv(True)
    return ftp


def sha(data):
    return hashlib.sha256(data).hexdigest()


def roundrobin(n):
    results = [None] * n

    def client(i):
        r = {'i': i, 'ok': False, 'upload': None, 'download': None, 'stage': 'connect'}
        try:
            data = os.urandom(32 * 1024 + i * 997)
            a = session()
            # Each client in its own directory: listings don't race the other clients' renames.
            r['stage'] = 'mkd'
            a.mkd(f'c{i}')
            a.cwd(f'c{i}')
            r['stage'] = 'stor'
            a.storbinary(f'STOR up-{i}.bin', io.BytesIO(data))
            r['stage'] = 'nlst'
            names = a.nlst()
            assert f'up-{i}.bin' in names, f'up-{i}.bin not listed'
            r['upload'] = a.pasv[-1]
            a.quit()
            b = session()
            b.cwd(f'c{i}')
            got = io.BytesIO()
            r['stage'] = 'retr'
            b.retrbinary(f'RETR up-{i}.bin', got.write)
            assert sha(got.getvalue()) == sha(data), 'sha256 mismatch'
            r['download'] = b.pasv[-1]
            r['stage'] = 'rename'
            b.rename(f'up-{i}.bin', f'done-{i}.bin')
            r['stage'] = 'list'
            lines = []
            b.retrlines('LIST', lines.append)
            listing = '\n'.join(lines)
            assert f'done-{i}.bin' in listing and f'up-{i}.bin' not in listing, 'rename not visible in LIST'
            b.quit()
            r['ok'] = True
        except Exception as e:  # reported, the test fails on it
            r['error'] = f'{type(e).__name__}: {e}'
        results[i] = r

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return {'clients': results}


def hijack():
    ftp = session()
    host, port = ftp.makepasv()
    foreign = socket.create_connection((host, port), timeout=10, source_address=('127.0.0.7', 0))
    foreign.settimeout(10)
    try:
        dropped = foreign.recv(1) == b''
    except ConnectionResetError:
        dropped = True
    foreign.close()
    # The client the PROXY header named (127.0.0.1) still gets its listing over the same listener.
    data = socket.create_connection((host, port), timeout=10)
    resp = ftp.sendcmd('LIST')
    listing = b''
    while True:
        chunk = data.recv(65536)
        if not chunk:
            break
        listing += chunk
    data.close()
    final = ftp.voidresp()
    ftp.quit()
    return {'pasv': [host, port], 'foreignDropped': dropped, 'mark': resp[:3], 'final': final[:3], 'listingBytes': len(listing)}


def drain(seconds, n):
    """Slow downloads of big.bin and small uploads; a 4xx reply (or the close right after one) is
    retryable and retried on a new session; anything else is a hard failure."""
    deadline = time.time() + seconds
    big_sha = ARGS[2]
    lock = threading.Lock()
    ops = []
    hard = []

    def one_op(i, k):
        start = time.time()
        ftp = session()
        try:
            if k % 2 == 0:
                h = hashlib.sha256()

                def slow(chunk):
                    h.update(chunk)
                    # About 8 s per download: ones begun before the SIGTERM are still running well after it.
                    time.sleep(0.08)

                ftp.retrbinary('RETR big.bin', slow, blocksize=32 * 1024)
                if h.hexdigest() != big_sha:
                    raise AssertionError('sha256 mismatch on big.bin')
                kind = 'download'
            else:
                data = os.urandom(64 * 1024)
                name = f'drain-{i}-{k}.bin'
                ftp.storbinary(f'STOR {name}', io.BytesIO(data))
                got = io.BytesIO()
                ftp.retrbinary(f'RETR {name}', got.write)
                if sha(got.getvalue()) != sha(data):
                    raise AssertionError('sha256 mismatch on upload')
                kind = 'upload'
            pasv = ftp.pasv[0]
        finally:
            try:
                ftp.quit()
            except Exception:
                ftp.close()
        return {'client': i, 'kind': kind, 'start': start, 'end': time.time(), 'pasv': pasv}

    def client(i):
        k = 0
        while time.time() < deadline and k < 200:
            for attempt in range(5):
                try:
                    op = one_op(i, k)
                    op['attempts'] = attempt + 1
                    with lock:
                        ops.append(op)
                    break
                except ftplib.error_temp as e:
                    with lock:
                        ops.append({'client': i, 'retryable': str(e)[:80], 'end': time.time()})
                    time.sleep(0.1)
                except Exception as e:
                    with lock:
                        hard.append({'client': i, 'error': f'{type(e).__name__}: {e}', 'at': time.time()})
                    break
            else:
                with lock:
                    hard.append({'client': i, 'error': 'five retryable failures in a row', 'at': time.time()})
            k += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    return {'ops': ops, 'hard': hard}


if MODE == 'roundrobin':
    out = roundrobin(int(ARGS[0]))
elif MODE == 'hijack':
    out = hijack()
elif MODE == 'drain':
    out = drain(float(ARGS[0]), int(ARGS[1]))
else:
    raise SystemExit(f'unknown mode {MODE}')
print(json.dumps(out))
