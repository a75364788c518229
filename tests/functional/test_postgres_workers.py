"""``refcloud serve --workers 2`` on PostgreSQL: two processes behind one address, raced.

The same invariants as tests/functional/test_postgres_concurrency.py (tests/support/races.py:
generation advances exactly once per successful write, no lost update, usage never above
capacity), but every writer goes to the one address and the kernel spreads the connections
over the two worker processes of refcloud/workers.py.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import races
from tests.support.postgres import PostgresServer
from tests.support.refcloud_proc import RefcloudServer, refcloud_process

pytestmark = pytest.mark.postgresql

WRITERS = 16
CAPACITY = 10


@pytest.fixture
def pg_db(postgres_server: PostgresServer) -> str:
    return postgres_server.create_database(f"workers_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def two_workers(pg_db: str, tmp_path: Path) -> Iterator[RefcloudServer]:
    with refcloud_process(pg_db, log_dir=tmp_path, extra_args=("--workers", "2")) as proc:
        yield proc


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True, check=False).stdout
    return [int(p) for p in out.split()]


def test_two_workers_serve_one_address(two_workers: RefcloudServer) -> None:
    assert "2 worker processes" in two_workers.log_tail()
    with races.client(two_workers.url) as c:
        rp_uuid = races.create_provider(c)
        for _ in range(4):  # new connections land on either worker: all see the row
            with races.client(two_workers.url) as other:
                assert other.get(f"/resource_providers/{rp_uuid}").json()["generation"] == 0


def _established(pid: int, port: int) -> int:
    """Established TCP connections to local ``port`` held by process ``pid`` (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
    held = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            held += local_port == port and fields[3] == "01" and fields[9] in inodes
    return held


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)")
def test_a_burst_of_connections_spreads_over_the_workers(two_workers: RefcloudServer) -> None:
    """16 keep-alive connections opened at once: each worker holds about half of them.

    Without the balance (refcloud/workers.py) the first worker to wake could accept all of
    them (seen in benchmarks/scale_out.py: 16 on one worker, the other idle); SO_REUSEPORT
    would split them by a hash, 12/4 about as often as 8/8."""
    assert two_workers.process is not None
    port = int(two_workers.url.rsplit(":", 1)[1])
    clients = [races.client(two_workers.url) for _ in range(16)]
    start = threading.Barrier(len(clients))

    def first_request(c: httpx.Client) -> int:
        start.wait(timeout=30)  # every connection opened at the same moment
        return c.get("/").status_code

    try:
        with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
            assert list(pool.map(first_request, clients)) == [200] * len(clients)
        workers = _children(two_workers.process.pid)
        held = [_established(pid, port) for pid in workers]
        assert len(workers) == 2 and sum(held) == 16, (workers, held)
        assert max(held) - min(held) <= 2, f"connections not spread over the workers: {held}"
    finally:
        for c in clients:
            c.close()


def test_inventory_writers_race_through_workers(two_workers: RefcloudServer) -> None:
    print(races.inventory_race_between([two_workers], WRITERS))


def test_allocation_writers_race_through_workers(two_workers: RefcloudServer,
                                                 pg_db: str) -> None:
    print(races.allocation_race_between([two_workers], pg_db, WRITERS, CAPACITY))


def test_sigterm_stops_every_worker(pg_db: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "refcloud", "serve", "--port", "0", "--db", pg_db,
             "--workers", "2", "-q", "--no-compute"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while "listening on" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.1)
        children = _children(proc.pid)
        assert len(children) == 2, log.read_text()
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(30) == 0, log.read_text()
        assert _children(proc.pid) == []
        for child in children:
            assert not Path(f"/proc/{child}").exists() or \
                "zombie" in Path(f"/proc/{child}/status").read_text().lower()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_workers_below_one_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "refcloud", "serve", "--port", "0", "--workers", "0",
         "--db", f"sqlite:///{tmp_path / 'x.db'}"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "refcloud: error: --workers must be at least 1"
