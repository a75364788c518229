"""``refcloud serve --workers 2`` on PostgreSQL: two processes behind one address, raced.

The same invariants as tests/functional/test_postgres_concurrency.py (tests/support/races.py:
generation advances exactly once per successful write, no lost update, usage never above
capacity), but every writer goes to the one address and the kernel spreads the connections
over the two worker processes of refcloud/workers.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

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
