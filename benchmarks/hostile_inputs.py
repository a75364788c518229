"""Hostile-input figures for issue 15: slow clients against ``refcloud serve`` and
``member_of`` repeated N times on SQLite and PostgreSQL.

    python benchmarks/hostile_inputs.py                 # both (about 1 minute)
    python benchmarks/hostile_inputs.py --only slow --slow 120,400
    python benchmarks/hostile_inputs.py --only member_of --n 100,300,1000

Slow clients: a ``refcloud serve`` on SQLite; SLOW connections each send one header byte
every 5 s; meanwhile a normal client's ``GET /`` (a new connection each time) is timed 20
times over ~20 s: median and max printed. member_of: 1,000 providers in 10 aggregates;
``GET /resource_providers`` with N ``member_of=in:AGG,RANDOM`` (N distinct groups) timed
5 times in process (httpx over WSGI): median printed, per database.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADERS = {"x-auth-token": "admin", "openstack-api-version": "placement latest"}


def slow_clients(count: int) -> None:
    from tests.support.refcloud_proc import refcloud_process

    with tempfile.TemporaryDirectory() as tmp, \
            refcloud_process(f"sqlite:///{tmp}/r.db", log_dir=Path(tmp)) as rc:
        host, port = rc.url.split("//")[1].split(":")
        stop = threading.Event()
        opened: list[socket.socket] = []

        def loris() -> None:
            for _ in range(count):
                sock = socket.create_connection((host, int(port)), timeout=5)
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                opened.append(sock)
            while not stop.wait(5):
                for sock in opened:
                    with contextlib.suppress(OSError):
                        sock.sendall(b"X")

        thread = threading.Thread(target=loris, daemon=True)
        thread.start()
        while len(opened) < count and thread.is_alive():
            time.sleep(0.05)
        times, failures = [], 0
        # a new connection per GET (no keep-alive), one client (no TLS context per call)
        with httpx.Client(timeout=10, limits=httpx.Limits(max_keepalive_connections=0)) as c:
            for _ in range(20):
                started = time.monotonic()
                try:
                    c.get(rc.url + "/").raise_for_status()
                    times.append(time.monotonic() - started)
                except httpx.HTTPError:
                    failures += 1
                time.sleep(1)
        stop.set()
        for sock in opened:
            sock.close()
    print(f"slow clients {count:>4}: GET / median {statistics.median(times) * 1000:.1f} ms, "
          f"max {max(times) * 1000:.1f} ms, {failures} failed of 20")


def member_of(db_url: str, label: str, counts: list[int]) -> None:
    import refcloud

    app = refcloud.make_app(refcloud.Config(db_url=db_url))
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://r",
                      headers=HEADERS) as c:
        aggs = [str(uuid.uuid4()) for _ in range(10)]
        for i in range(1000):
            rp = str(uuid.uuid4())
            c.post("/resource_providers", json={"name": f"rp{i}", "uuid": rp})
            c.put(f"/resource_providers/{rp}/aggregates",
                  json={"aggregates": aggs[: 1 + i % 10], "resource_provider_generation": 0})
        for n in counts:
            params = [("member_of", f"in:{aggs[i % 3]},{uuid.uuid4()}") for i in range(n)]
            times = []
            for _ in range(5):
                started = time.monotonic()
                resp = c.get("/resource_providers", params=params)
                times.append(time.monotonic() - started)
                assert resp.status_code == 200, resp.text[:200]
            found = len(resp.json()["resource_providers"])
            print(f"member_of x{n:<5} {label:<10}: median {statistics.median(times) * 1000:.0f} ms "
                  f"({found} providers)")
    app.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("slow", "member_of"))
    parser.add_argument("--slow", default="120", help="slow-client counts (default 120)")
    parser.add_argument("--n", default="100,300,1000", help="member_of counts")
    args = parser.parse_args()
    if args.only in (None, "slow"):
        for count in (int(x) for x in args.slow.split(",")):
            slow_clients(count)
    if args.only in (None, "member_of"):
        counts = [int(x) for x in args.n.split(",")]
        with tempfile.TemporaryDirectory() as tmp:
            member_of(f"sqlite:///{tmp}/m.db", "SQLite", counts)
        from tests.support.postgres import PostgresServer

        with PostgresServer() as pg:
            member_of(pg.create_database("member_of"), "PostgreSQL", counts)


if __name__ == "__main__":
    main()
