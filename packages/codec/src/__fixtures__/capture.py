#!/usr/bin/python3
"""Captures raw control replies and listings from an FTP server on 127.0.0.1 (fixture tooling).

usage: capture.py PORT NAME USER PASSWORD OUTDIR
Writes NAME-feat.txt (raw FEAT reply), NAME-list.txt (raw LIST data, TYPE A), NAME-list-dir.txt
(LIST "a dir"), NAME-mlsd.txt (raw MLSD data, if the server has it), NAME-mlst.txt (raw MLST reply)
NAME-mdtm.txt, NAME-pasv.txt and NAME-epsv.txt (raw replies), NAME-pwd.txt and NAME-pwd-quote.txt
(raw 257 replies after CWD "a dir" and CWD 'say "hi"'). Empty results are not saved. Bytes are saved exactly as received.
"""
import re
import socket
import sys

port, name, user, password, outdir = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
ctl = socket.create_connection(("127.0.0.1", port), timeout=10)
buf = b""


def reply():
    global buf
    raw, first = b"", None
    for _ in range(1000):
        while b"\n" not in buf:
            data = ctl.recv(65536)
            if not data:
                raise EOFError(raw)
            buf += data
        line, buf = buf.split(b"\n", 1)
        raw += line + b"\n"
        if first is None:
            first = line[:3]
            if line[3:4] != b"-":
                return raw
        elif line[:3] == first and line[3:4] == b" ":
            return raw
    raise RuntimeError("reply too long")


def cmd(text):
    ctl.sendall(text.encode() + b"\r\n")
    return reply()


def transfer(text):
    r = cmd("EPSV")
    m = re.search(rb"\|\|\|(\d+)\|", r)
    if not m:
        raise RuntimeError(r)
    data = socket.create_connection(("127.0.0.1", int(m.group(1))), timeout=10)
    first = cmd(text)
    if not first.startswith(b"1"):
        data.close()
        return None
    chunks = []
    for _ in range(100000):
        x = data.recv(65536)
        if not x:
            break
        chunks.append(x)
    data.close()
    reply()
    return b"".join(chunks)


def save(suffix, data):
    if data:
        with open(f"{outdir}/{name}-{suffix}", "wb") as f:
            f.write(data)


reply()
cmd(f"USER {user}")
cmd(f"PASS {password}")
save("feat.txt", cmd("FEAT"))
cmd("OPTS UTF8 ON")
cmd("TYPE A")
save("list.txt", transfer("LIST"))
save("list-dir.txt", transfer("LIST a dir"))
save("mlsd.txt", transfer("MLSD"))
mlst = cmd("MLST with space.txt")
if mlst.startswith(b"250"):
    save("mlst.txt", mlst)
save("mdtm.txt", cmd("MDTM old.txt"))
save("pasv.txt", cmd("PASV"))
save("epsv.txt", cmd("EPSV"))
cmd("CWD a dir")
save("pwd.txt", cmd("PWD"))
cmd('CWD /say "hi"')
save("pwd-quote.txt", cmd("PWD"))
cmd("QUIT")
ctl.close()
