"""``refcloud serve --workers N``: N server processes behind one address (pre-fork).

The parent binds the listening sockets, then forks N children. Each child builds its
own app, so its own database engine and connection pool (nothing of the database is
inherited across the fork), and runs refcloud's waitress server on its socket. The parent
only supervises: SIGTERM or SIGINT is passed on to the children, and when one child dies
the others are stopped and the exit status says so.

Where the system has ``SO_REUSEPORT`` (Linux), every child gets its own listening socket on
the one address and the kernel spreads new connections over them (by a hash of the
connection's addresses). With one shared socket instead, whichever child wakes first
accepts: waitress accepts every connection that is waiting, so a burst of clients (16
keep-alive connections opened at once, as a benchmark or a pool of clients does) all landed
on one child and the other stayed idle. Without ``SO_REUSEPORT`` the shared socket is used.

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
from types import FrameType

__all__ = ["prefork"]


def _listen(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def _listen_all(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets listening on one address: one each (SO_REUSEPORT), or one shared."""
    # A plain bind first: it fails as before when anybody listens there (a reuse-port bind
    # would join another SO_REUSEPORT server of this user instead), and picks the port for
    # --port 0.
    probe = _listen(host, port)
    if not hasattr(socket, "SO_REUSEPORT"):
        return [probe] * count
    bound = probe.getsockname()[1]
    probe.close()
    socks: list[socket.socket] = []
    try:
        socks += [_listen(host, bound, reuse_port=True) for _ in range(count)]
    except OSError:
        for sock in socks:
            sock.close()
        return [_listen(host, bound)] * count
    return socks


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
        socks = _listen_all(args.host, args.port, args.workers)
    except OSError as exc:
        print(f"refcloud: error: cannot listen on {args.host}:{args.port}: "
              f"{exc.strerror or exc}; pick another --port", file=sys.stderr)
        return 2
    host, port = socks[0].getsockname()[:2]
    children: list[int] = []
    for index in range(args.workers):
        pid = os.fork()
        if pid == 0:  # the child: one ordinary server on its socket
            status = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                mine = socks[index]
                for other in socks:
                    if other is not mine:
                        other.close()  # each socket is accepted on by its own child only
                child = argparse.Namespace(**vars(args))
                child.workers, child.fresh, child.pid_file = 1, False, None
                child.listen_socket, child.worker_of = mine, os.getppid()
                status = serve(child)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        children.append(pid)
    for sock in socks:
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
