"""``refcloud serve --workers N``: N server processes behind one address (pre-fork).

The parent binds the listening socket once, then forks N children. Each child builds its
own app, so its own database engine and connection pool (nothing of the database is
inherited across the fork), and runs refcloud's waitress server on the inherited socket.
The parent only supervises: SIGTERM or SIGINT is passed on to the children, and when one
child dies the others are stopped and the exit status says so.

Balance: on one shared socket whichever child wakes first accepts, and waitress accepts
every connection that is waiting, so a burst of keep-alive clients (16 opened at once, as a
benchmark or a client pool does) could all land on one child while the other stayed idle.
So the children publish how many connections each holds in a small shared array
(``RawArray``, created before the fork), and a child listens for new connections only while
it holds no more than the least loaded one (``refcloud.server.HardenedServer.readable``):
connections spread evenly, and the least loaded child always listens. (``SO_REUSEPORT``, one
socket per child, spreads by a hash of the addresses instead: 16 connections split 12/4
about as often as 8/8.)

Meant for PostgreSQL, where the processes write in parallel and the generations stay a
compare-and-swap in the database. On SQLite it works too (WAL), but one writer at a time
holds the database lock, so more processes mostly add contention.

Own code rather than gunicorn: refcloud's server is waitress with its hardening
(refcloud/server.py), which gunicorn would replace; a pre-fork over one socket is the
few lines below and adds no dependency. POSIX only (``os.fork``).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from collections.abc import Callable
from multiprocessing.sharedctypes import RawArray
from types import FrameType

__all__ = ["prefork"]


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def prefork(args: argparse.Namespace, serve: Callable[[argparse.Namespace], int]) -> int:
    """Bind ``args.host:args.port``, fork ``args.workers`` children running ``serve``."""
    if not hasattr(os, "fork"):
        print("refcloud: error: --workers needs os.fork (POSIX); use --workers 1",
              file=sys.stderr)
        return 2
    if args.fresh and args.db.startswith("sqlite:///") and args.db != "sqlite:///:memory:":
        path = args.db[len("sqlite:///"):]
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    try:
        sock = _listen(args.host, args.port)
    except OSError as exc:
        print(f"refcloud: error: cannot listen on {args.host}:{args.port}: "
              f"{exc.strerror or exc}; pick another --port", file=sys.stderr)
        return 2
    host, port = sock.getsockname()[:2]
    connections = RawArray("i", args.workers)  # shared memory: each child's connections
    children: list[int] = []
    for index in range(args.workers):
        pid = os.fork()
        if pid == 0:  # the child: one ordinary server on the shared socket
            status = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                child = argparse.Namespace(**vars(args))
                child.workers, child.fresh, child.pid_file = 1, False, None
                child.listen_socket, child.worker_of = sock, os.getppid()
                child.balance = (connections, index)
                status = serve(child)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        children.append(pid)
    sock.close()
    if args.pid_file:
        with open(args.pid_file, "w") as fh:
            fh.write(f"{os.getpid()}\n")
    print(f"refcloud listening on http://{host}:{port} ({args.workers} worker processes, "
          f"pids {' '.join(map(str, children))})", flush=True)
    return _supervise(children)


def _supervise(children: list[int]) -> int:
    """Wait for the children; stop them all on a signal or when one of them dies."""
    alive = set(children)
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in alive:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while alive:
        try:
            pid, wait_status = os.wait()
        except ChildProcessError:
            break
        alive.discard(pid)
        code = os.waitstatus_to_exitcode(wait_status)
        if not stopping:
            print(f"refcloud: error: worker {pid} exited ({code}); stopping the others",
                  file=sys.stderr, flush=True)
            status = code if code > 0 else 1
            stop(signal.SIGTERM, None)
    return status
