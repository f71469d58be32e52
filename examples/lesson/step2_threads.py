#!/usr/bin/env python3
"""Step 2: receive while typing.

Two things now happen at once: waiting for what you type, and waiting for what the
server sends. A thread does the second: it sits in recv() and prints each line the
moment it arrives, while the main program sits in input(). (The other classic answer is
`selectors`: one loop asking "which of stdin and the socket has something for me?".)

    python3 step2_threads.py 127.0.0.1 4444
"""
import socket
import sys
import threading

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 4444

s = socket.create_connection((host, port))


def receive():
    buffered = b""
    while True:
        data = s.recv(4096)
        if not data:
            print("(the server closed the connection)", flush=True)
            return
        # recv() returns whatever bytes have arrived: half a line, or three lines.
        # Keep the bytes until a newline says a line is complete.
        buffered += data
        while b"\n" in buffered:
            line, buffered = buffered.split(b"\n", 1)
            print(line.decode("utf-8", errors="replace").rstrip("\r"), flush=True)


# daemon: when the main program ends, this thread does not keep it alive
threading.Thread(target=receive, daemon=True).start()

for line in sys.stdin:
    s.sendall(line.rstrip("\n").encode("utf-8") + b"\n")
# end of input (Ctrl+D): say goodbye properly, so the server sees us leave
s.sendall(b"/quit\n")
s.shutdown(socket.SHUT_WR)
# let the goodbye come back before exiting
s.settimeout(2.0)
try:
    while s.recv(4096):
        pass
except OSError:
    pass
