"""The flat one-group answer written as JSON text, slice by slice (``candidates_slices``).

A flat cloud (no trees, no sharing provider) in a real SQLite file, loaded through the API:
providers with different inventories, usage, traits and aggregates, some with no traits or
no inventory of a class. Every query is answered twice through the same app, by the sliced
writer and by the general path (dicts, then orjson), and the two bodies must be the same
bytes, with slices of 3 providers so every answer spans many slices. Also: ``limit`` stopping
in the middle of a slice, older microversions (not written as text), and the writer's
fallback for a uuid that JSON would have to escape. The same comparison on PostgreSQL, and a
provider deleted while a search reads (READ COMMITTED), are marked ``postgresql`` (part of
the default run; the fixture starts a throwaway server).
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import refcloud
import sqlalchemy as sa
from refcloud.storage import candidates as cand
from refcloud.storage import candidates_slices as slices

HEADERS = {"x-auth-token": "admin", "openstack-api-version": "placement latest"}
AGG_A, AGG_B = str(uuidlib.UUID(int=0xA)), str(uuidlib.UUID(int=0xB))
PROVIDERS = 23


def _ok(resp: httpx.Response, *codes: int) -> httpx.Response:
    assert resp.status_code in (codes or (200,)), resp.text
    return resp


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    db = Path(tmp_path_factory.mktemp("slices")) / "refcloud.db"
    yield from _loaded(f"sqlite:///{db}")


def _loaded(db_url: str) -> Iterator[httpx.Client]:
    app = refcloud.make_app(refcloud.Config(db_url=db_url))
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://refcloud",
                          headers=HEADERS)
    _ok(client.put("/traits/CUSTOM_GOLD"), 201)
    for i in range(PROVIDERS):
        rp = str(uuidlib.UUID(int=0x1000 + i))
        _ok(client.post("/resource_providers", json={"uuid": rp, "name": f"cn{i}"}))
        inventories: dict[str, Any] = {
            "VCPU": {"total": 8 + i % 5, "allocation_ratio": 1.5 if i % 2 else 1.0},
            "MEMORY_MB": {"total": 4096 * (1 + i % 3), "reserved": 512 * (i % 2)},
        }
        if i % 4:
            inventories["DISK_GB"] = {"total": 100 + i, "step_size": 1 + i % 2}
        _ok(client.put(f"/resource_providers/{rp}/inventories", json={
            "resource_provider_generation": 0, "inventories": inventories}))
        traits = [t for t, on in (("HW_CPU_X86_AVX2", i % 3 != 0), ("CUSTOM_GOLD", i % 5 == 1),
                                  ("STORAGE_DISK_SSD", i % 2 == 0)) if on]
        if traits:
            _ok(client.put(f"/resource_providers/{rp}/traits", json={
                "resource_provider_generation": 1, "traits": traits}))
        aggs = [a for a, on in ((AGG_A, i % 2 == 1), (AGG_B, i % 3 == 2)) if on]
        if aggs:
            generation = 2 if traits else 1
            _ok(client.put(f"/resource_providers/{rp}/aggregates", json={
                "resource_provider_generation": generation, "aggregates": aggs}))
        if i % 6 == 0:  # usage: some providers partly or fully used
            _ok(client.put(f"/allocations/{uuidlib.uuid4()}", json={
                "allocations": {rp: {"resources": {"VCPU": 2 + i % 4, "MEMORY_MB": 1024}}},
                "project_id": str(uuidlib.uuid4()), "user_id": str(uuidlib.uuid4()),
                "consumer_generation": None, "consumer_type": "INSTANCE",
            }), 204)
    yield client
    client.close()


QUERIES = [
    "resources=VCPU:1",
    "resources=VCPU:1,MEMORY_MB:1024,DISK_GB:10",
    "resources=VCPU:2&required=HW_CPU_X86_AVX2",
    "resources=VCPU:1&required=!HW_CPU_X86_AVX2",
    "resources=MEMORY_MB:2048&required=in:CUSTOM_GOLD,STORAGE_DISK_SSD",
    f"resources=VCPU:1&member_of={AGG_A}",
    f"resources=VCPU:1&member_of=in:{AGG_A},{AGG_B}&member_of=!{AGG_B}",
    "resources=DISK_GB:3",  # step sizes
    "resources=VCPU:12",  # only the over-committed providers
    "resources1=VCPU:1,MEMORY_MB:512&required1=STORAGE_DISK_SSD",  # one suffixed group
    "resources=VCPU:1000",  # nothing fits
    f"resources=VCPU:1&in_tree={uuidlib.UUID(int=0x1003)}",
    "resources=VCPU:1&group_policy=none&limit=600",
]


def _both(client: httpx.Client, monkeypatch: pytest.MonkeyPatch, query: str,
          version: str = "latest") -> tuple[httpx.Response, httpx.Response]:
    headers = {"openstack-api-version": f"placement {version}"}
    monkeypatch.setattr(slices, "SLICE", 3)
    written = client.get(f"/allocation_candidates?{query}", headers=headers)
    monkeypatch.setattr(slices, "applies", lambda *args: False)
    general = client.get(f"/allocation_candidates?{query}", headers=headers)
    monkeypatch.undo()
    return written, general


@pytest.mark.parametrize("query", QUERIES)
def test_the_sliced_text_is_the_general_answer_byte_for_byte(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    written, general = _both(client, monkeypatch, query)
    assert written.status_code == general.status_code == 200
    assert written.content == general.content
    assert written.headers["content-type"] == general.headers["content-type"]
    assert int(written.headers["content-length"]) == len(written.content)


def test_the_queries_use_the_sliced_path_and_span_slices(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = slices._Writer.write

    def counting(self: Any, ids: list[int], uuids: list[str]) -> tuple[bytes, bytes]:
        calls.append(len(ids))
        return original(self, ids, uuids)

    monkeypatch.setattr(slices, "SLICE", 3)
    monkeypatch.setattr(slices._Writer, "write", counting)
    body = client.get("/allocation_candidates?resources=VCPU:1").json()
    assert len(body["allocation_requests"]) == PROVIDERS
    assert len(body["provider_summaries"]) == PROVIDERS
    assert sum(calls) == PROVIDERS and max(calls) == 3 and len(calls) == 8
    # A provider without traits or DISK_GB inventory shows an empty list / no class.
    summaries = body["provider_summaries"]
    assert summaries[str(uuidlib.UUID(int=0x1000))]["traits"] == ["STORAGE_DISK_SSD"]
    assert "DISK_GB" not in summaries[str(uuidlib.UUID(int=0x1000))]["resources"]
    used = summaries[str(uuidlib.UUID(int=0x1000))]["resources"]["VCPU"]
    assert used == {"capacity": 8, "used": 2}


@pytest.mark.postgresql
def test_on_postgresql_too(postgres_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # (Plain rows there, not SQLite's packed columns.)
    for client in _loaded(postgres_server.create_database("slices_bytes")):
        for query in QUERIES:
            written, general = _both(client, monkeypatch, query)
            assert written.status_code == general.status_code == 200, query
            assert written.content == general.content, query
        assert len(client.get("/allocation_candidates?resources=VCPU:1").json()[
            "provider_summaries"]) == PROVIDERS


@pytest.mark.postgresql
def test_a_provider_deleted_during_the_search_is_left_out(
    postgres_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL reads in READ COMMITTED: a provider deleted after the fit was found is
    # gone from the slice's uuid read, and from the answer (valid JSON without it).
    gone = str(uuidlib.UUID(int=0x1000 + 5))
    original = slices.merge.own_providers
    postgres_url = postgres_server.create_database("slices_gone")
    engine = sa.create_engine(postgres_url)

    def then_delete(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        with engine.begin() as conn:
            (rp,) = conn.execute(sa.text("SELECT id FROM resource_providers WHERE uuid = :u"),
                                 {"u": gone}).one()
            for table in ("inventories", "resource_provider_traits",
                          "resource_provider_aggregates"):
                conn.execute(sa.text(f"DELETE FROM {table} WHERE resource_provider_id = :rp"),
                             {"rp": rp})
            conn.execute(sa.text("DELETE FROM resource_providers WHERE id = :rp"), {"rp": rp})
        return found

    for client in _loaded(postgres_url):
        monkeypatch.setattr(slices, "SLICE", 3)
        monkeypatch.setattr(slices.merge, "own_providers", then_delete)
        # (Every third provider lacks the trait: slices' id ranges hold non-candidates.)
        resp = client.get("/allocation_candidates?resources=VCPU:1&required=HW_CPU_X86_AVX2")
        assert resp.status_code == 200, resp.text
        body = resp.json()
        shown = [next(iter(r["allocations"])) for r in body["allocation_requests"]]
        with_trait = [i for i in range(PROVIDERS) if i % 3 != 0]
        assert 5 in with_trait and len(shown) == len(with_trait) - 1 and gone not in shown
        assert gone not in body["provider_summaries"]
        assert list(body["provider_summaries"]) == shown
    engine.dispose()


def test_a_limit_stops_in_the_middle_of_a_slice(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (Limits up to MAX_IN_LIST take the one-statement path; below it here, the slices.)
    monkeypatch.setattr(cand, "MAX_IN_LIST", 0)
    written, general = _both(client, monkeypatch, "resources=VCPU:1&limit=7")
    assert written.content == general.content
    assert len(written.json()["allocation_requests"]) == 7


@pytest.mark.parametrize("version", ["1.33", "1.29", "1.17", "1.10"])
def test_older_microversions_keep_their_shapes(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    written, general = _both(client, monkeypatch, "resources=VCPU:1", version)
    assert written.status_code == 200
    assert written.content == general.content
    assert "mappings" not in written.json()["allocation_requests"][0]


def test_a_uuid_json_must_escape_is_encoded_by_orjson() -> None:
    resources = {"VCPU": {"capacity": 4, "used": 0}}
    writer = slices._Writer({"resources": {"VCPU": 1}}, "", {1: resources}, {2: ["X"]})
    odd = 'a"b\\c'
    requests, summaries = writer.write([1, 2], [odd, "plain"])
    assert orjson.loads(b"[" + requests + b"]") == [
        {"allocations": {odd: {"resources": {"VCPU": 1}}}, "mappings": {"": [odd]}},
        {"allocations": {"plain": {"resources": {"VCPU": 1}}}, "mappings": {"": ["plain"]}},
    ]
    assert orjson.loads(b"{" + summaries + b"}") == {
        odd: {"resources": resources, "traits": [], "parent_provider_uuid": None,
              "root_provider_uuid": odd},
        "plain": {"resources": {}, "traits": ["X"], "parent_provider_uuid": None,
                  "root_provider_uuid": "plain"},
    }


def test_in_tree_on_a_flat_cloud_is_that_provider_alone(client: httpx.Client) -> None:
    rp = str(uuidlib.UUID(int=0x1003))
    body = client.get(f"/allocation_candidates?resources=VCPU:1&in_tree={rp}").json()
    assert [list(r["allocations"]) for r in body["allocation_requests"]] == [[rp]]
    assert list(body["provider_summaries"]) == [rp]
