#!/usr/bin/env python3
"""of-abuse.py: OpenFlow peers that misbehave, for tests/bats/openflow-abuse.bats.

    of-abuse.py garbage TARGET BYTES
        connect and send BYTES random bytes (no HELLO); print how the
        switch ended it ("closed" or "open")
    of-abuse.py connections TARGET N HOLD_FILE [hello]
        open N connections (with "hello": each says HELLO first), print
        "opened K of N", then hold them until HOLD_FILE disappears; print
        how many the switch had closed by then ("closed C")
    of-abuse.py slow-reader TARGET MAX_BYTES
        say HELLO, then send 60 KB ECHO_REQUESTs and never read a reply,
        until the switch closes the connection or MAX_BYTES went out;
        print "closed after B bytes" or "still open after B bytes"

TARGET is unix:PATH or tcp:HOST:PORT."""

import os
import resource
import socket
import struct
import sys
import time

HELLO13 = struct.pack("!BBHI", 4, 0, 8, 1)


def connect(target, timeout=10):
    if target.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(target[5:])
    else:
        host, port = target[4:].rsplit(":", 1)
        s = socket.create_connection((host, int(port)), timeout=timeout)
    return s


def peer_closed(s):
    """True if the switch closed (or reset) the connection; drains input."""
    s.setblocking(False)
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def garbage(target, size):
    s = connect(target)
    try:
        s.sendall(os.urandom(size))
    except OSError:
        pass
    deadline = time.time() + 10
    while time.time() < deadline and not peer_closed(s):
        time.sleep(0.1)
    print("closed" if peer_closed(s) else "open")


def connections(target, n, hold_file, hello):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, n + 64)), hard))
    conns = []
    for _ in range(n):
        try:
            s = connect(target, timeout=5)
            if hello:
                s.sendall(HELLO13)
            conns.append(s)
        except OSError:
            pass
    print("opened %d of %d" % (len(conns), n), flush=True)
    while os.path.exists(hold_file):
        time.sleep(0.2)
    print("closed %d" % sum(peer_closed(s) for s in conns), flush=True)


def slow_reader(target, max_bytes):
    s = connect(target)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(HELLO13)
    echo = struct.pack("!BBHI", 4, 2, 8 + 60000, 7) + bytes(60000)
    sent = 0
    s.settimeout(30)
    try:
        while sent < max_bytes:
            s.sendall(echo)
            sent += len(echo)
    except (socket.timeout, OSError):
        pass
    deadline = time.time() + 10
    while time.time() < deadline and not peer_closed(s):
        time.sleep(0.1)
    print("%s after %d bytes" % ("closed" if peer_closed(s) else "still open", sent))


def main(argv):
    if len(argv) == 4 and argv[1] == "garbage":
        garbage(argv[2], int(argv[3]))
    elif len(argv) in (5, 6) and argv[1] == "connections":
        connections(argv[2], int(argv[3]), argv[4], len(argv) == 6 and argv[5] == "hello")
    elif len(argv) == 4 and argv[1] == "slow-reader":
        slow_reader(argv[2], int(argv[3]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
