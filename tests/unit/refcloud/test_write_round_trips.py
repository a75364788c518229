"""The write path's statements per request on SQLite (issue 19): batched, no read-backs.

Counted with SQLAlchemy's ``before_cursor_execute`` event on a real SQLite file behind the
in-process WSGI app, for placeload's four writes of one provider. A regression that adds a
round trip per row or per request (a savepoint, a re-read, one INSERT per inventory) fails.
The same writes are counted on a throwaway PostgreSQL (``postgresql`` marker).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from refcloud.app import make_app
from refcloud.config import Config
from sqlalchemy import event

from tests.support.postgres import PostgresServer

HEADERS = {"x-auth-token": "admin", "openstack-api-version": "placement latest"}
INVENTORY = {"VCPU": {"total": 32}, "MEMORY_MB": {"total": 8192}, "DISK_GB": {"total": 500}}
AGGREGATES = [str(uuid.uuid4()) for _ in range(3)]
TRAITS = ["HW_CPU_X86_AVX2", "HW_CPU_X86_SSE2", "STORAGE_DISK_SSD"]


@pytest.fixture
def counted(tmp_path: Path) -> Iterator[tuple[httpx.Client, list[tuple[bool, str]]]]:
    app = make_app(Config(db_url=f"sqlite:///{tmp_path / 'w.db'}"))
    seen: list[tuple[bool, str]] = []

    def record(_conn, _cursor, statement, _params, _context, executemany) -> None:
        seen.append((executemany, " ".join(statement.split()[:3])))

    event.listen(app.db.engine, "before_cursor_execute", record)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://refcloud",
                      headers=HEADERS) as client:
        yield client, seen
    app.db.dispose()


def _writes(seen: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
    return [(many, s) for many, s in seen if not s.startswith("BEGIN")]


def test_one_provider_of_placeload_in_few_statements(
        counted: tuple[httpx.Client, list[tuple[bool, str]]]) -> None:
    client, seen = counted
    rp = str(uuid.uuid4())
    resp = client.post("/resource_providers", json={"uuid": rp, "name": rp})
    assert resp.status_code == 200, resp.text
    post = _writes(seen)
    # the insert (ON CONFLICT DO NOTHING: no check before it), the root id: no savepoint,
    # no re-read
    assert [s.split()[0] for _, s in post] == ["INSERT", "UPDATE"], post
    assert client.get(f"/resource_providers/{rp}").json()["root_provider_uuid"] == rp

    seen.clear()
    resp = client.put(f"/resource_providers/{rp}/inventories",
                      json={"resource_provider_generation": 0, "inventories": INVENTORY})
    assert resp.status_code == 200, resp.text
    inv = _writes(seen)
    inserts = [(many, s) for many, s in inv if s.startswith("INSERT")]
    assert inserts == [(True, "INSERT INTO inventories")], inv  # three rows, one executemany
    # the provider, its inventory's classes (standard ones need no query), the insert, the
    # generation swap: one transaction
    assert len(inv) <= 4, inv
    assert sum(s.startswith("BEGIN") for _, s in seen) == 1, seen
    assert not any("SAVEPOINT" in s for _, s in inv)

    seen.clear()
    resp = client.put(f"/resource_providers/{rp}/aggregates",
                      json={"resource_provider_generation": 1, "aggregates": AGGREGATES})
    assert resp.status_code == 200, resp.text
    agg = _writes(seen)
    assert [(m, s) for m, s in agg if s.startswith("INSERT")] == [
        (True, "INSERT INTO placement_aggregates"),
        (True, "INSERT INTO resource_provider_aggregates")], agg
    assert not any("SAVEPOINT" in s for _, s in agg)

    seen.clear()
    resp = client.put(f"/resource_providers/{rp}/traits",
                      json={"resource_provider_generation": 2, "traits": TRAITS})
    assert resp.status_code == 200, resp.text
    assert resp.json()["resource_provider_generation"] == 3
    tr = _writes(seen)
    assert [(m, s) for m, s in tr if s.startswith("INSERT")] == [
        (True, "INSERT INTO resource_provider_traits")], tr
    assert len(tr) <= 5, tr

    body = client.get(f"/resource_providers/{rp}/inventories").json()
    assert body["resource_provider_generation"] == 3
    assert sorted(body["inventories"]) == sorted(INVENTORY)
    assert sorted(client.get(f"/resource_providers/{rp}/aggregates").json()["aggregates"]) \
        == sorted(AGGREGATES)


def test_stale_generation_still_refused(
        counted: tuple[httpx.Client, list[tuple[bool, str]]]) -> None:
    client, _seen = counted
    rp = str(uuid.uuid4())
    assert client.post("/resource_providers", json={"uuid": rp, "name": rp}).status_code == 200
    ok = client.put(f"/resource_providers/{rp}/inventories",
                    json={"resource_provider_generation": 0, "inventories": INVENTORY})
    assert ok.status_code == 200
    stale = client.put(f"/resource_providers/{rp}/traits",
                       json={"resource_provider_generation": 0, "traits": TRAITS})
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["code"] == "placement.concurrent_update"
    dup = client.post("/resource_providers", json={"uuid": str(uuid.uuid4()), "name": rp})
    assert dup.status_code == 409 and "name" in dup.text
    dup = client.post("/resource_providers", json={"uuid": rp, "name": "other"})
    assert dup.status_code == 409 and "uuid" in dup.text


@pytest.mark.postgresql
def test_placeload_on_postgresql_without_savepoints(postgres_server: PostgresServer) -> None:
    """On PostgreSQL: one transaction per write, the root's create one statement, no savepoint
    (ON CONFLICT DO NOTHING instead), standard classes and traits without a lookup."""
    app = make_app(Config(db_url=postgres_server.create_database(
        f"rt_{uuid.uuid4().hex[:12]}")))
    seen: list[str] = []
    event.listen(app.db.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, _p, _ctx, _many: seen.append(statement))
    event.listen(app.db.engine, "begin", lambda _conn: seen.append("BEGIN"))
    try:
        with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://refcloud",
                          headers=HEADERS) as client:
            counts = []
            for _round in range(2):  # the second provider finds aggregates and traits known
                rp = str(uuid.uuid4())
                seen.clear()
                writes = [
                    client.post("/resource_providers", json={"uuid": rp, "name": rp}),
                    client.put(f"/resource_providers/{rp}/inventories", json={
                        "resource_provider_generation": 0, "inventories": INVENTORY}),
                    client.put(f"/resource_providers/{rp}/aggregates", json={
                        "resource_provider_generation": 1, "aggregates": AGGREGATES}),
                    client.put(f"/resource_providers/{rp}/traits", json={
                        "resource_provider_generation": 2, "traits": TRAITS}),
                ]
                assert [w.status_code for w in writes] == [200] * 4, [w.text for w in writes]
                assert writes[-1].json()["resource_provider_generation"] == 3
                assert seen.count("BEGIN") == 4, seen
                assert not any("SAVEPOINT" in s for s in seen), seen
                counts.append(len(seen) - seen.count("BEGIN"))
                got = client.get(f"/resource_providers/{rp}").json()
                assert got["root_provider_uuid"] == rp and got["generation"] == 3
            # create 1; inventories 4 (provider, existing classes, insert, generation);
            # aggregates 5 (provider, aggregate ids, links, insert, generation; +2 to create
            # the new aggregates); traits 4 (provider, links, generation, insert; +1 the first
            # time, when the standard traits are looked up once)
            assert counts == [17, 14], counts
            dup = client.post("/resource_providers", json={"uuid": rp, "name": "other"})
            assert dup.status_code == 409 and "uuid" in dup.text
            dup = client.post("/resource_providers", json={"uuid": str(uuid.uuid4()),
                                                            "name": rp})
            assert dup.status_code == 409 and "name" in dup.text
    finally:
        app.db.dispose()
