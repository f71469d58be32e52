#!/usr/bin/env python3
"""Step 4: the same chat, speaking IRC.

IRC is also lines of text, with a fixed shape:  [:source] COMMAND param param :last param
Every IRC server and client understands it, so this script can talk to tincan or to
any IRC network. What it does:

  NICK alice / USER alice 0 * :Alice      say who we are (registration)
  ... wait for 001 (the welcome numeric): we are in
  JOIN #room                              enter a room
  PRIVMSG #room :hello                    say something (what you type)
  PING :x  ->  PONG :x                    the server checks we are alive: answer it

    python3 step4_irc.py 127.0.0.1 4444 alice '#homework'

Type a line to say it; /join #other to move; /quit to leave.
"""
import socket
import sys
import threading

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 4444
nick = sys.argv[3] if len(sys.argv) > 3 else "learner"
room = sys.argv[4] if len(sys.argv) > 4 else "#lobby"

s = socket.create_connection((host, port))
registered = threading.Event()


def send(line):
    # IRC lines end with CR LF
    s.sendall(line.encode("utf-8") + b"\r\n")


def parse(line):
    """':alice!a@host PRIVMSG #room :hi there' -> ('alice!a@host', 'PRIVMSG', ['#room', 'hi there'])"""
    if line.startswith("@"):  # message tags (time=...): not needed here
        line = line.split(" ", 1)[1] if " " in line else ""
    source = ""
    if line.startswith(":"):
        source, _, line = line[1:].partition(" ")
    if " :" in line:
        head, _, last = line.partition(" :")
        params = head.split() + [last]
    else:
        params = line.split()
    command = params.pop(0).upper() if params else ""
    return source, command, params


def handle(line):
    source, command, params = parse(line)
    who = source.split("!")[0]
    if command == "PING":
        send("PONG :" + (params[0] if params else ""))
    elif command == "001":
        registered.set()
        print("* connected as", params[0], flush=True)
    elif command == "433":  # nick in use: try another
        send("NICK " + params[1] + "_")
    elif command == "PRIVMSG" and len(params) == 2:
        target, text = params
        if text.startswith("\x01ACTION ") and text.endswith("\x01"):
            print("[%s] * %s %s" % (target, who, text[8:-1]), flush=True)
        else:
            print("[%s] <%s> %s" % (target, who, text), flush=True)
    elif command == "JOIN":
        print("* %s joined %s" % (who, params[0]), flush=True)
    elif command in ("PART", "QUIT"):
        print("* %s left" % who, flush=True)


def receive():
    buffered = b""
    while True:
        data = s.recv(4096)
        if not data:
            print("(the server closed the connection)", flush=True)
            registered.set()
            return
        buffered += data
        while b"\n" in buffered:
            raw, buffered = buffered.split(b"\n", 1)
            handle(raw.decode("utf-8", errors="replace").rstrip("\r"))


threading.Thread(target=receive, daemon=True).start()
send("NICK " + nick)
send("USER " + nick + " 0 * :" + nick)
registered.wait(15)
send("JOIN " + room)

for line in sys.stdin:
    text = line.rstrip("\n")
    if text.startswith("/join "):
        room = text.split()[1]
        send("JOIN " + room)
    elif text.startswith("/quit"):
        break
    elif text.strip():
        send("PRIVMSG %s :%s" % (room, text))
send("QUIT :bye")
s.shutdown(socket.SHUT_WR)
s.settimeout(2.0)
try:
    while s.recv(4096):
        pass
except OSError:
    pass
