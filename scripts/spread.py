#!/usr/bin/env python3
"""spread.py -- how a pool model spreads connections and wake-ups over its workers.

    scripts/spread.py MODEL --workers N [--conns K] [--concurrency C] [--held K]

Starts bin/MODEL on a free port of 127.0.0.1 with --workers N, then:
  wake-ups  ab -n K -c C (one connection per request) runs against it; for each worker
            (a child process, else a thread other than the main one) it prints the
            voluntary context switches (times it went to sleep and was woken) and the
            CPU ticks spent during the run (a process pool's parent on a row of its own). With no thundering herd a connection wakes
            one worker: the switches summed over the workers stay near one or two per
            connection; a herd would wake all N per connection.
  --held K  then opens K keep-alive connections one after the other (each sends a
            request, reads the reply and stays open) and counts, per epoll instance of
            the model, the descriptors registered in it (/proc/PID/fdinfo), less the
            listener and the stop eventfd: the connections each worker holds. For the
            multi-reactor models only (one epoll set per worker).
  --busy MS one client asks for /sleep/MS, stalling whichever worker takes it; 100 ms in,
            20 new clients (one request each, started 5 ms apart) are timed: how many
            waited behind the stalled worker (over MS/2) and the slowest.
Prints Markdown tables; stops the server (SIGTERM) and closes everything it opened.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def status_field(path, name):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ticks(stat_path):
    try:
        with open(stat_path) as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return int(rest[11]) + int(rest[12])
    except (OSError, IndexError):
        return 0


def workers_of(pid):
    """Per worker (child processes if any, else threads but the main one): (name, proc dir)."""
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                kids.append((f"child {d}", f"/proc/{d}"))
    if kids:
        return sorted(kids, key=lambda k: int(k[0].split()[1]))
    tids = sorted(int(t) for t in os.listdir(f"/proc/{pid}/task") if int(t) != pid)
    return [(f"thread {t}", f"/proc/{pid}/task/{t}") for t in tids]


def sample(workers):
    return {n: (status_field(d + "/status", "voluntary_ctxt_switches"), cpu_ticks(d + "/stat"))
            for n, d in workers}


def wakeups(port, pid, workers, conns, conc):
    parent = [("parent", f"/proc/{pid}")] if workers[0][0].startswith("child") else []
    before = sample(workers + parent)
    ab = subprocess.run(["ab", "-q", "-n", str(conns), "-c", str(conc),
                         f"http://127.0.0.1:{port}/"], capture_output=True, text=True,
                        timeout=120)
    after = sample(workers + parent)
    done = re.search(r"Complete requests:\s+(\d+)", ab.stdout)
    failed = re.search(r"Failed requests:\s+(\d+)", ab.stdout)
    done = int(done.group(1)) if done else 0
    print(f"\nab -n {conns} -c {conc}: {done} complete, "
          f"{failed.group(1) if failed else '?'} failed\n")
    print("| worker | voluntary switches | per connection | CPU ticks |")
    print("|---|---:|---:|---:|")
    total, shares = 0, []
    for n, _ in workers + parent:
        sw = after[n][0] - before[n][0]
        if n != "parent":
            total += sw
            shares.append(sw)
        print(f"| {n} | {sw} | {sw / max(done, 1):.2f} | {after[n][1] - before[n][1]} |")
    print(f"| all {len(workers)} workers | {total} | {total / max(done, 1):.2f} | |")
    print(f"\nworkers' share of the wake-ups: min {100 * min(shares) / max(total, 1):.1f} %, "
          f"max {100 * max(shares) / max(total, 1):.1f} %")


def epoll_counts(pid):
    """Registered descriptors per epoll instance of pid, in fd order."""
    counts = []
    fds = sorted(int(f) for f in os.listdir(f"/proc/{pid}/fd"))
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:[eventpoll]":
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                counts.append((fd, sum(1 for line in f if line.startswith("tfd:"))))
        except OSError:
            continue
    return counts


def held(port, pid, k):
    socks = []
    try:
        for _ in range(k):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET / HTTP/1.1\r\nHost: spread\r\n\r\n")
            got = b""
            while b"Hello world" not in got:
                b = s.recv(4096)
                if not b:
                    break
                got += b
            socks.append(s)
        time.sleep(0.2)
        counts = epoll_counts(pid)
        print(f"\n{k} keep-alive connections opened one after the other, held open\n")
        print("| epoll set (worker) | connections held |")
        print("|---|---:|")
        for fd, n in counts:
            print(f"| fd {fd} | {max(n - 2, 0)} |")  # less the listener and the stop eventfd
    finally:
        for s in socks:
            s.close()


def one_request(port, path, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: spread\r\nConnection: close\r\n\r\n".encode())
    while s.recv(4096):
        pass
    s.close()


def busy(port, ms, k=20):
    import threading
    t = threading.Thread(target=one_request, args=(port, f"/sleep/{ms}"))
    t.start()
    time.sleep(0.1)
    waits = []

    def timed():
        t0 = time.monotonic()
        one_request(port, "/")
        waits.append((time.monotonic() - t0) * 1000)
    clients = [threading.Thread(target=timed) for _ in range(k)]
    for c in clients:
        c.start()
        time.sleep(0.005)
    for c in clients:
        c.join()
    t.join()
    late = sum(1 for w in waits if w > ms / 2)
    print(f"\none worker in /sleep/{ms}: {late} of {k} new clients waited behind it; "
          f"slowest {max(waits):.0f} ms, median {sorted(waits)[k // 2]:.1f} ms")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--workers", type=int, required=True)
    ap.add_argument("--conns", type=int, default=4000)
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--held", type=int, default=0)
    ap.add_argument("--busy", type=int, default=0)
    a = ap.parse_args()
    binary = os.path.join(ROOT, "bin", a.model)
    if not os.access(binary, os.X_OK):
        sys.exit(f"spread.py: {binary}: no such model (make first)")
    srv = subprocess.Popen([binary, "--port", "0", "--workers", str(a.workers)],
                           stdout=subprocess.PIPE, text=True)
    try:
        line = srv.stdout.readline()
        m = re.search(r":(\d+)$", line.strip())
        if not m:
            sys.exit(f"spread.py: {a.model} did not announce a port: {line!r}")
        port = int(m.group(1))
        time.sleep(0.3)
        print(f"{a.model} --workers {a.workers}")
        wakeups(port, srv.pid, workers_of(srv.pid), a.conns, a.concurrency)
        if a.held:
            held(port, srv.pid, a.held)
        if a.busy:
            busy(port, a.busy)
    finally:
        srv.send_signal(signal.SIGTERM)
        try:
            srv.wait(timeout=5)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait()


if __name__ == "__main__":
    main()
