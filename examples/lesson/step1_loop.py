#!/usr/bin/env python3
"""Step 1: send and receive in a loop.

The lesson's client sent one message and read one reply. Here it keeps going: read a
line you type, send it, then print whatever the server sent back. Run it against
tincan:   python3 step1_loop.py 127.0.0.1 4444

tincan sees text that is not IRC and treats you as a "plain" user: it gives you a guest
name, puts you in #lobby and sends you a welcome. Everything you type is said there.

The catch: recv() waits. If nobody says anything after your line, the program would wait
forever before letting you type again, so we only wait a moment (a timeout). Messages
from others that arrive while you are typing show up only after your next line: step 2
fixes that.
"""
import socket
import sys

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 4444


def print_whatever_came(s, wait):
    """Print everything the server sent, waiting at most `wait` seconds for it."""
    s.settimeout(wait)
    while True:
        try:
            data = s.recv(4096)
        except socket.timeout:
            return True  # nothing more for now
        if not data:
            print("(the server closed the connection)")
            return False
        # bytes on the wire, text on the screen: decode them
        print(data.decode("utf-8", errors="replace"), end="", flush=True)
        s.settimeout(0.3)  # more may be on its way; don't wait long for it


s = socket.create_connection((host, port))
print_whatever_came(s, 3.0)  # the welcome
for line in sys.stdin:
    # a line ends with a newline: that is how the server knows where it stops
    s.sendall(line.rstrip("\n").encode("utf-8") + b"\n")
    if not print_whatever_came(s, 1.0):
        break
s.close()
