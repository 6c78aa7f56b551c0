"""FTP clients (Python's ftplib) for the quota tests; prints one JSON document.

Usage: quota-clients.py MODE HOST PORT USER PASSWORD [ARGS...]
  parallel N SIZE   N sessions log in, then all STOR "up-<i>.bin" (SIZE bytes) at once; prints the
                    final reply code of each upload
  ops JSON          one session runs the list of operations (["stor", name, size], ["dele", name],
                    ["mkd", name], ["rmd", name], ["rename", from, to]); prints each reply code
An upload refused while it runs (552) closes the data connection under the client: the send error
is ignored and the final reply on the control connection is what counts.
"""
import ftplib
import json
import sys
import threading

MODE, HOST, PORT, USER, PASSWORD = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
ARGS = sys.argv[6:]


def session():
    ftp = ftplib.FTP(timeout=60)
    ftp.connect(HOST, PORT)
    ftp.login(USER, PASSWORD)
    ftp.voidcmd("TYPE I")
    return ftp


def code_of(err):
    return int(str(err)[:3])


def stor(ftp, name, size):
    try:
        conn = ftp.transfercmd("STOR " + name)
    except ftplib.Error as err:
        return code_of(err)
    data = b"q" * size
    try:
        view = memoryview(data)
        for start in range(0, size, 65536):
            conn.sendall(view[start:start + 65536])
    except OSError:
        pass
    finally:
        conn.close()
    try:
        return code_of(ftp.getresp())
    except ftplib.Error as err:
        return code_of(err)


def simple(ftp, command):
    try:
        return code_of(ftp.sendcmd(command))
    except ftplib.Error as err:
        return code_of(err)


def parallel(n, size):
    sessions = [session() for _ in range(n)]
    barrier = threading.Barrier(n)
    codes = [0] * n

    def run(i):
        barrier.wait(timeout=30)
        codes[i] = stor(sessions[i], "up-%d.bin" % i, size)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for ftp in sessions:
        ftp.close()
    return codes


def ops(steps):
    ftp = session()
    codes = []
    for step in steps:
        kind = step[0]
        if kind == "stor":
            codes.append(stor(ftp, step[1], step[2]))
        elif kind == "dele":
            codes.append(simple(ftp, "DELE " + step[1]))
        elif kind == "mkd":
            codes.append(simple(ftp, "MKD " + step[1]))
        elif kind == "rmd":
            codes.append(simple(ftp, "RMD " + step[1]))
        elif kind == "rename":
            first = simple(ftp, "RNFR " + step[1])
            codes.append(simple(ftp, "RNTO " + step[2]) if first == 350 else first)
        else:
            raise ValueError(kind)
    ftp.quit()
    return codes


if MODE == "parallel":
    print(json.dumps(parallel(int(ARGS[0]), int(ARGS[1]))))
elif MODE == "ops":
    print(json.dumps(ops(json.loads(ARGS[0]))))
else:
    raise SystemExit("unknown mode " + MODE)
