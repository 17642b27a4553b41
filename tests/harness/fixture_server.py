#!/usr/bin/env python3
"""fixture_server.py -- deliberately broken HTTP servers, to capture ab's output on them.

usage: fixture_server.py MODE   (prints `listening on 127.0.0.1:PORT`, serves until killed)
  seed      answers 200 with headers only and closes: no body, so ab sees
            "HTML transferred: 0" yet counts every request complete (the seed's bug)
  notfound  answers 404 with an 11-byte body: non-2xx answers
  flaky     closes every third connection without answering and varies the body
            length of the others: failed requests (receive and length)
  mute      accepts and never answers: ab's -s timeout expires
"""
import socket
import sys
import threading

BODY = b"Hello world"


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data


def answer(mode, conn, n):
    if mode == "mute":
        threading.Event().wait()
    if read_head(conn) is None:
        return
    if mode == "seed":
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
    elif mode == "notfound":
        conn.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 11\r\n\r\n" + BODY)
    elif mode == "flaky":
        if n % 3 == 2:
            conn.shutdown(socket.SHUT_RDWR)
            return
        body = BODY if n % 2 else BODY[:5]
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def serve(mode, conn, n):
    try:
        answer(mode, conn, n)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in ("seed", "notfound", "flaky", "mute"):
        sys.exit(__doc__)
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(128)
    print("listening on 127.0.0.1:%d" % lsock.getsockname()[1], flush=True)
    n = 0
    while True:
        conn, _ = lsock.accept()
        threading.Thread(target=serve, args=(mode, conn, n), daemon=True).start()
        n += 1


if __name__ == "__main__":
    main()
