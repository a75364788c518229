"""Two refcloud processes on one SQLite file, raced by 16 concurrent writers.

The same invariants as the PostgreSQL race (tests/support/races.py): SQLite writers
serialise with ``BEGIN IMMEDIATE`` across processes, so every write answers 200/204 or
409, generations advance once per successful write and usage never exceeds capacity.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import races
from tests.support.refcloud_proc import RefcloudProcess, start_many

WRITERS = 16
CAPACITY = 10


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'refcloud.db'}"


@pytest.fixture
def two_processes(sqlite_db: str, tmp_path: Path) -> Iterator[list[RefcloudProcess]]:
    with start_many([sqlite_db, sqlite_db], log_dir=tmp_path) as procs:
        yield procs


def _logs(procs: list[RefcloudProcess]) -> str:
    return "".join(f"\n--- {p.url} log ---\n{p.log_tail(4000)}" for p in procs)


def test_inventory_writers_race(two_processes: list[RefcloudProcess]) -> None:
    urls = [p.url for p in two_processes]
    with races.client(urls[0]) as c:
        rp_uuid = races.create_provider(c)
        initial = races.get_inventories(c, rp_uuid)["resource_provider_generation"]
        result = races.inventory_race(urls, rp_uuid, writers=WRITERS, rounds=8)
        try:
            summary = races.check_inventory_race(result, c, rp_uuid, initial)
        except AssertionError as exc:
            raise AssertionError(f"{exc}{_logs(two_processes)}") from None
    print(summary)


def test_allocation_writers_race(two_processes: list[RefcloudProcess], sqlite_db: str) -> None:
    urls = [p.url for p in two_processes]
    with races.client(urls[1]) as c:
        rp_uuid = races.create_provider(c)
        generation = races.set_vcpu_inventory(c, rp_uuid, CAPACITY)
        probe, close = races.usage_probe(sqlite_db, rp_uuid)
        try:
            result = races.allocation_race(urls, rp_uuid, writers=WRITERS, attempts=3, probe=probe)
            summary = races.check_allocation_race(result, c, rp_uuid, CAPACITY, generation, probe)
        except AssertionError as exc:
            raise AssertionError(f"{exc}{_logs(two_processes)}") from None
        finally:
            close()
    print(summary)
