"""Two refcloud processes on one PostgreSQL database, raced by 16 concurrent writers.

PostgreSQL comes from Debian's package, started by the ``postgres_server`` session
fixture (tests/support/postgres.py; installed with apt-get first when running as root).
The processes start at the same moment on an empty database (racing their schema
creation and seeding); one gets ``postgresql+psycopg://...``, the other the plain
``postgresql://...`` form the CLI rewrites.

Invariants (tests/support/races.py): every write answers 200/204 or 409 (with
``placement.concurrent_update``, or the undefined code for a capacity refusal), the
provider generation advances exactly once per successful write, no update is lost,
and usage never exceeds capacity.

``test_candidate_claims_race``: 16 claimers each GET /allocation_candidates and PUT the first
candidate unchanged, on a provider that fits exactly FITS instances: exactly FITS succeed, the
others get 409, usage equals capacity (never more, also as sampled straight from the database).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import races
from tests.support.postgres import PostgresServer
from tests.support.refcloud_proc import RefcloudProcess, start_many

pytestmark = pytest.mark.postgresql

WRITERS = 16
CAPACITY = 10
# A provider with VCPU 10 fits exactly 5 instances of VCPU:2.
FLAVOR = {"VCPU": 2}
CLAIM_CAPACITY = {"VCPU": 10}
FITS = 5


@pytest.fixture
def pg_db(postgres_server: PostgresServer) -> str:
    """A fresh, empty database on the session's PostgreSQL."""
    return postgres_server.create_database(f"race_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def two_processes(pg_db: str, tmp_path: Path) -> Iterator[list[RefcloudProcess]]:
    plain = pg_db.replace("postgresql+psycopg://", "postgresql://", 1)
    with start_many([pg_db, plain], log_dir=tmp_path) as procs:
        yield procs


def test_two_processes_share_the_database(two_processes: list[RefcloudProcess]) -> None:
    a, b = two_processes
    with races.client(a.url) as ca, races.client(b.url) as cb:
        rp_uuid = races.create_provider(ca)
        resp = cb.get(f"/resource_providers/{rp_uuid}")
        assert resp.status_code == 200, resp.text + races.logs(two_processes)
        assert resp.json()["generation"] == 0
        assert cb.get("/traits", params={"name": "startswith:HW_CPU_X86_AVX"}).status_code == 200


def test_inventory_writers_race(two_processes: list[RefcloudProcess]) -> None:
    print(races.inventory_race_between(two_processes, WRITERS))


def test_allocation_writers_race(two_processes: list[RefcloudProcess], pg_db: str) -> None:
    print(races.allocation_race_between(two_processes, pg_db, WRITERS, CAPACITY))


def test_candidate_claims_race(two_processes: list[RefcloudProcess], pg_db: str) -> None:
    urls = [p.url for p in two_processes]
    with races.client(urls[0]) as c:
        rp_uuid = races.create_provider(c)
        generation = races.set_vcpu_inventory(c, rp_uuid, CLAIM_CAPACITY["VCPU"])
        query = f"resources=VCPU:{FLAVOR['VCPU']}&in_tree={rp_uuid}"
        probe, close = races.usage_probe(pg_db, rp_uuid)
        try:
            result = races.candidate_claim_race(urls, query, claimers=WRITERS, probe=probe)
            summary = races.check_candidate_claims(result, c, rp_uuid, FLAVOR, FITS,
                                                   CLAIM_CAPACITY, generation, probe)
        except AssertionError as exc:
            raise AssertionError(f"{exc}{races.logs(two_processes)}") from None
        finally:
            close()
    print(summary)


def test_cli_rejects_unreachable_postgres(tmp_path: Path) -> None:
    """A database nobody listens on is a one-line error, not a traceback."""
    from tests.support.postgres import free_port
    from tests.support.refcloud_proc import RefcloudStartError

    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    rc = RefcloudProcess(db_url=url, log_path=tmp_path / "refcloud.log")
    rc.spawn()
    with pytest.raises(RefcloudStartError):
        rc.wait_ready(timeout=30)
    log = rc.log_tail()
    assert "refcloud: error: cannot open database" in log, log
    assert "Traceback" not in log, log
