"""Two refcloud processes on one SQLite file, raced by 16 concurrent writers.

The same invariants as the PostgreSQL race (tests/support/races.py): SQLite writers
serialise with ``BEGIN IMMEDIATE`` across processes, so every write answers 200/204 or
409, generations advance once per successful write and usage never exceeds capacity.

``test_candidate_claims_race``: 16 claimers each GET /allocation_candidates and PUT the first
candidate unchanged, on a provider that fits exactly FITS instances: exactly FITS succeed, the
others get 409, usage equals capacity. ``test_candidate_claims_check_catches_overallocation``
shows the check failing on a refcloud whose capacity check is switched off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import refcloud

from tests.support import races
from tests.support.refcloud_proc import RefcloudProcess, start_many

WRITERS = 16
CAPACITY = 10
# A provider with VCPU 10 fits exactly 5 instances of VCPU:2 (and MEMORY_MB:512 of 8192).
FLAVOR = {"VCPU": 2, "MEMORY_MB": 512}
CLAIM_CAPACITY = {"VCPU": 10, "MEMORY_MB": 8192}
FITS = 5


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'refcloud.db'}"


@pytest.fixture
def two_processes(sqlite_db: str, tmp_path: Path) -> Iterator[list[RefcloudProcess]]:
    with start_many([sqlite_db, sqlite_db], log_dir=tmp_path) as procs:
        yield procs


def test_inventory_writers_race(two_processes: list[RefcloudProcess]) -> None:
    print(races.inventory_race_between(two_processes, WRITERS))


def test_allocation_writers_race(two_processes: list[RefcloudProcess], sqlite_db: str) -> None:
    print(races.allocation_race_between(two_processes, sqlite_db, WRITERS, CAPACITY))


def _claim_setup(c: httpx.Client) -> tuple[str, int, str]:
    """A provider fitting FITS instances; returns (uuid, generation, candidates query)."""
    rp_uuid = races.create_provider(c)
    resp = c.put(f"/resource_providers/{rp_uuid}/inventories",
                 json={"resource_provider_generation": 0,
                       "inventories": {rc: {"total": total}
                                       for rc, total in CLAIM_CAPACITY.items()}})
    assert resp.status_code == 200, resp.text
    query = ("resources=" + ",".join(f"{rc}:{n}" for rc, n in FLAVOR.items())
             + f"&in_tree={rp_uuid}")
    return rp_uuid, int(resp.json()["resource_provider_generation"]), query


def test_candidate_claims_race(two_processes: list[RefcloudProcess]) -> None:
    urls = [p.url for p in two_processes]
    with races.client(urls[0]) as c:
        rp_uuid, generation, query = _claim_setup(c)
        result = races.candidate_claim_race(urls, query, claimers=WRITERS)
        try:
            summary = races.check_candidate_claims(result, c, rp_uuid, FLAVOR, FITS,
                                                   CLAIM_CAPACITY, generation)
        except AssertionError as exc:
            raise AssertionError(f"{exc}{races.logs(two_processes)}") from None
    print(summary)


def test_candidate_claims_check_catches_overallocation(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With refcloud's capacity check switched off, the same race is caught over-allocating."""
    from refcloud.storage import allocations

    def no_capacity_check(conn, items, rc_ids, prev_usage):  # type: ignore[no-untyped-def]
        return {item.provider.uuid: item.provider for item in items}

    monkeypatch.setattr(allocations, "_check_capacity", no_capacity_check)
    app = refcloud.make_app(refcloud.Config(db_url=f"sqlite:///{tmp_path / 'broken.db'}"))

    def in_process(url: str) -> httpx.Client:
        return httpx.Client(transport=httpx.WSGITransport(app=app), base_url=url,
                            headers=races.HEADERS, timeout=120)

    monkeypatch.setattr(races, "client", in_process)
    with in_process("http://broken") as c:
        rp_uuid, generation, query = _claim_setup(c)
        result = races.candidate_claim_race(["http://broken"], query, claimers=WRITERS)
        with pytest.raises(AssertionError, match="over-allocation"):
            races.check_candidate_claims(result, c, rp_uuid, FLAVOR, FITS, CLAIM_CAPACITY,
                                         generation)
    assert sum(o.status == 204 for o in result.outcomes) > FITS
