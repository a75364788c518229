"""In-process refclouds for ``interopcheck diff`` tests (no sockets).

``make_refcloud(name, prepopulate=False, wrap=None)`` gives an ``httpx.WSGITransport`` over a
fresh refcloud on its own SQLite file; ``prepopulate`` fills it first with unrelated data
(providers, trees, a sharing provider, inventories, traits, aggregates, custom classes,
allocations of typed and untyped consumers) so the two clouds differ in data volume and UUIDs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import refcloud
import sqlalchemy as sa

WSGIApp = Callable[..., Any]


def _u() -> str:
    return str(uuid.uuid4())


def prepopulate(app: WSGIApp, providers: int = 24) -> None:
    """Unrelated data: what a cloud in use holds before interopcheck comes along."""
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://prep",
                      headers={"x-auth-token": "admin",
                               "openstack-api-version": "placement 1.39"}) as c:
        def ok(response: httpx.Response) -> httpx.Response:
            assert response.status_code < 300, (response.request.url, response.text)
            return response

        ok(c.put("/resource_classes/CUSTOM_PREP_GPU"))
        ok(c.put("/traits/CUSTOM_PREP_FAST"))
        shared_agg = _u()
        roots: list[str] = []
        for i in range(providers):
            rp = _u()
            parent = roots[i % len(roots)] if i % 3 == 2 and roots else None
            body: dict[str, Any] = {"name": f"prep-{i}-{rp[:8]}", "uuid": rp}
            if parent:
                body["parent_provider_uuid"] = parent
            ok(c.post("/resource_providers", json=body))
            if parent is None:
                roots.append(rp)
            inventories = {"VCPU": {"total": 32, "allocation_ratio": 4.0},
                           "MEMORY_MB": {"total": 65536}, "DISK_GB": {"total": 500}}
            if i % 4 == 0:
                inventories["CUSTOM_PREP_GPU"] = {"total": 2}
            gen = ok(c.put(f"/resource_providers/{rp}/inventories", json={
                "resource_provider_generation": 0, "inventories": inventories,
            })).json()["resource_provider_generation"]
            traits = ["HW_CPU_X86_AVX2", "HW_CPU_X86_AVX512F", "CUSTOM_PREP_FAST"][: i % 4]
            gen = ok(c.put(f"/resource_providers/{rp}/traits", json={
                "traits": traits, "resource_provider_generation": gen,
            })).json()["resource_provider_generation"]
            ok(c.put(f"/resource_providers/{rp}/aggregates",
                     json={"aggregates": [shared_agg] if i % 2 else [_u()],
                           "resource_provider_generation": gen}))
            for k in range(i % 3):
                ok(c.put(f"/allocations/{_u()}", json={
                    "allocations": {rp: {"resources": {"VCPU": 2, "MEMORY_MB": 1024}}},
                    "project_id": f"prep-project-{k}", "user_id": "prep-user",
                    "consumer_generation": None,
                    "consumer_type": "INSTANCE" if k else "MIGRATION"}))
        sharing = _u()
        ok(c.post("/resource_providers", json={"name": f"prep-sharing-{sharing[:8]}",
                                               "uuid": sharing}))
        ok(c.put(f"/resource_providers/{sharing}/inventories", json={
            "resource_provider_generation": 0, "inventories": {"DISK_GB": {"total": 10000}}}))
        ok(c.put(f"/resource_providers/{sharing}/traits", json={
            "traits": ["MISC_SHARES_VIA_AGGREGATE"], "resource_provider_generation": 1}))
        ok(c.put(f"/resource_providers/{sharing}/aggregates", json={
            "aggregates": [shared_agg], "resource_provider_generation": 2}))
        c.headers["openstack-api-version"] = "placement 1.28"
        ok(c.put(f"/allocations/{_u()}", json={
            "allocations": {roots[0]: {"resources": {"DISK_GB": 10}}},
            "project_id": "prep-project-9", "user_id": "prep-user",
            "consumer_generation": None}))


def leftovers(db_url: str) -> dict[str, int]:
    """Rows the profile's scenarios may create and must remove again."""
    engine = sa.create_engine(db_url)
    queries = {
        "resource_providers": "SELECT count(*) FROM resource_providers",
        "inventories": "SELECT count(*) FROM inventories",
        "allocations": "SELECT count(*) FROM allocations",
        "consumers": "SELECT count(*) FROM consumers",
        "custom resource classes": "SELECT count(*) FROM resource_classes WHERE id >= 10000",
        "custom traits": "SELECT count(*) FROM traits WHERE name LIKE 'CUSTOM\\_%' ESCAPE '\\'",
    }
    try:
        with engine.connect() as conn:
            return {k: int(conn.execute(sa.text(q)).scalar_one()) for k, q in queries.items()}
    finally:
        engine.dispose()


class Refclouds:
    """Factory of in-process refclouds under one tmp dir."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def db_url(self, name: str) -> str:
        return f"sqlite:///{self.directory / f'{name}.db'}"

    def app(self, name: str, *, populated: bool = False, drift: tuple[str, ...] = ()) -> WSGIApp:
        app = refcloud.make_app(refcloud.Config(db_url=self.db_url(name), drift=drift))
        if populated:
            prepopulate(app)
        return app

    def transport(self, name: str, *, populated: bool = False,
                  wrap: Callable[[WSGIApp], WSGIApp] | None = None) -> httpx.WSGITransport:
        app = self.app(name, populated=populated)
        return httpx.WSGITransport(app=wrap(app) if wrap else app)


@pytest.fixture
def refclouds(tmp_path: Path) -> Iterator[Refclouds]:
    yield Refclouds(tmp_path)
