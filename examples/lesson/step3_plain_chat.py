#!/usr/bin/env python3
"""Step 3: a name and rooms, by speaking plain lines to tincan.

Step 2's client, plus what a chat needs: your name and the room you talk in. tincan's
plain mode understands a few lines starting with "/": we send them for you.

    python3 step3_plain_chat.py 127.0.0.1 4444 alice '#homework'

Then type: a line is said in your room; /join #other switches rooms; /who lists
who is here; /quit leaves. Everything is still just text followed by a newline.
"""
import socket
import sys
import threading

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 4444
name = sys.argv[3] if len(sys.argv) > 3 else "learner"
room = sys.argv[4] if len(sys.argv) > 4 else "#lobby"

s = socket.create_connection((host, port))


def send_line(text):
    s.sendall(text.encode("utf-8") + b"\n")


def receive():
    buffered = b""
    while True:
        data = s.recv(4096)
        if not data:
            print("(the server closed the connection)", flush=True)
            return
        buffered += data
        while b"\n" in buffered:
            line, buffered = buffered.split(b"\n", 1)
            print(line.decode("utf-8", errors="replace").rstrip("\r"), flush=True)


threading.Thread(target=receive, daemon=True).start()

# who we are and where we talk: two plain lines, as you would type them in netcat
send_line("/nick " + name)
send_line("/join " + room)

for line in sys.stdin:
    text = line.rstrip("\n")
    if text.strip() == "":
        continue
    send_line(text)
    if text.split()[0] in ("/quit", "/exit"):
        break
else:
    send_line("/quit")
s.shutdown(socket.SHUT_WR)
s.settimeout(2.0)
try:
    while s.recv(4096):
        pass
except OSError:
    pass
