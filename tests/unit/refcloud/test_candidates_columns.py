"""Allocation candidates read SQLite rows packed as JSON arrays (``candidates_render.columns``).

On SQLite each of the search's big statements is read as one row of JSON arrays (one per
column) instead of row by row; other databases read the plain rows. These tests load a
dataset with nested providers, a sharing provider, aggregates, traits and allocations into a
real SQLite file and check that every packed statement gives the plain statement's values in
the plain statement's order, and that a capacity just below an integer is still truncated
(JSON text of a double keeps 15 digits: 100 * 1.15 = 114.99999999999999 would read as 115).
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import refcloud
import sqlalchemy as sa
from refcloud.storage import candidates as cand
from refcloud.storage import candidates_render as render

from tests.golden import candidates_runner as cr

HEADERS = {"x-auth-token": "admin", "openstack-api-version": "placement latest"}
ODD = str(uuidlib.UUID(int=0x1150))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    db = Path(tmp_path_factory.mktemp("columns")) / "refcloud.db"
    app = refcloud.make_app(refcloud.Config(db_url=f"sqlite:///{db}"))
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://refcloud",
                          headers=HEADERS)
    datasets = cr.load_datasets()
    for name in ("numa-trees", "traits-aggs"):  # (provider names differ between them)
        cr.load_http(client, datasets[name])
    # A capacity of 114.99999999999999, and allocations (usage rows) on it.
    assert client.post("/resource_providers", json={"uuid": ODD, "name": "odd"}).status_code == 200
    resp = client.put(f"/resource_providers/{ODD}/inventories", json={
        "resource_provider_generation": 0,
        "inventories": {"VCPU": {"total": 100, "allocation_ratio": 1.15}},
    })
    assert resp.status_code == 200, resp.text
    resp = client.put(f"/allocations/{uuidlib.uuid4()}", json={
        "allocations": {ODD: {"resources": {"VCPU": 3}}},
        "project_id": str(uuidlib.uuid4()), "user_id": str(uuidlib.uuid4()),
        "consumer_generation": None, "consumer_type": "INSTANCE",
    })
    assert resp.status_code == 204, resp.text
    yield app
    client.close()


def _plain(conn: sa.Connection, stmt: sa.Select, params: dict | None = None) -> list[list]:
    found = render.rows(conn, stmt, params)
    return [list(column) for column in zip(*found, strict=True)] if found else [
        [] for _ in stmt.selected_columns
    ]


def test_packed_statements_read_the_plain_rows_in_order(app: Any) -> None:
    with app.db.reader() as conn:
        trait_ids = sorted(i for (i,) in conn.execute(sa.text("SELECT id FROM traits")))
        agg_ids = sorted(i for (i,) in conn.execute(sa.text("SELECT id FROM placement_aggregates")))
        assert len(agg_ids) >= 2
        pairs: list[tuple[sa.Select, sa.Select, dict | None]] = [
            (render.PROVIDERS, render.PROVIDERS_PACKED, None),
            (render._UUIDS, render._UUIDS_PACKED, None),
            (render._TRAITS, render._TRAITS_PACKED, None),
            (render._USAGE, render._USAGE_PACKED, None),
            (cand._TRAIT_HOLDERS, cand._TRAIT_HOLDERS_PACKED, {"ids": trait_ids}),
            (cand._AGG_MEMBERS, cand._AGG_MEMBERS_PACKED, {"ids": agg_ids}),
        ]
        for rc in range(3):  # VCPU, MEMORY_MB, DISK_GB
            pairs.append((cand._FITTING, cand._FITTING_PACKED, {"rc": rc, "amount": 1}))
        for plain, packed, params in pairs:
            expected = _plain(conn, plain, params)
            assert expected[0], f"no rows for {plain}"
            assert render.columns(conn, plain, packed, params) == expected
        assert _plain(conn, render._USAGE)[0], "the dataset has allocations"
        # Capacities: packed as integers (truncated in SQL), as Placement truncates them.
        rps, rcs, capacities = _plain(conn, render._INVENTORIES)
        assert render.columns(conn, render._INVENTORIES, render._INVENTORIES_PACKED) == [
            rps, rcs, [int(c) for c in capacities]
        ]
        assert 114.99999999999999 in capacities


def test_capacity_just_below_an_integer_is_truncated(app: Any) -> None:
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://refcloud",
                          headers=HEADERS)
    with client:
        resp = client.get("/allocation_candidates", params={"resources": "VCPU:1"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["provider_summaries"][ODD]["resources"]["VCPU"] == {
        "capacity": 114, "used": 3,
    }
