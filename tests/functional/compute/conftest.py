"""A refcloud with the servers API mounted at /compute, and compute hosts in two cells."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import refcloud
from refcloud.compute import ComputeConfig
from refcloud.compute.mount import Mount, with_compute
from refcloud.scheduler.client import PlacementClient

from tests.unit.scheduler.cloud import Cloud

CELL1 = "ce110000-0000-4000-8000-0000000000c1"
CELL2 = "ce110000-0000-4000-8000-0000000000c2"
ADMIN = {"x-auth-token": "admin"}


@dataclass
class ComputeCloud:
    """The mounted app, an admin client on it, and the Placement hosts behind it."""

    app: Mount
    http: httpx.Client
    hosts: Cloud

    def create(self, name: str = "vm", flavor: str = "1", **extra: Any) -> str:
        resp = self.http.post("/compute/servers",
                              json={"server": {"name": name, "flavorRef": flavor, **extra}})
        assert resp.status_code == 202, resp.text
        return resp.json()["server"]["id"]

    def server(self, server_id: str, version: str | None = None) -> dict[str, Any]:
        headers = {"openstack-api-version": f"compute {version}"} if version else {}
        resp = self.http.get(f"/compute/servers/{server_id}", headers=headers)
        assert resp.status_code == 200, resp.text
        return resp.json()["server"]

    def action(self, server_id: str, body: Any) -> httpx.Response:
        return self.http.post(f"/compute/servers/{server_id}/action", json=body)

    def set_fault(self, host: str, fault: dict[str, Any] | None) -> None:
        resp = self.http.put(f"/compute/os-simulation/hosts/{host}", json={"fault": fault})
        assert resp.status_code == 200, resp.text


def build(inline: bool = True) -> tuple[ComputeCloud, Any]:
    placement_app = refcloud.make_app(refcloud.Config(db_url="sqlite://"))
    config = ComputeConfig(cells={CELL1: "cell1", CELL2: "cell2"}, inline_tasks=inline,
                           host_refresh_interval=0, seed=7)
    mount = with_compute(placement_app, config)
    hosts = Cloud(PlacementClient.in_process(placement_app, retry_factor=0.0),
                  cells=dict(config.cells))
    for cell, prefix in ((CELL1, "a"), (CELL2, "b")):
        for i in range(3):  # a0 / b0 have the most RAM: the spread weigher's favourites
            hosts.add_host(f"{prefix}{i}", cell, ram=8192 - 1024 * i)
    client = httpx.Client(transport=httpx.WSGITransport(app=mount),
                          base_url="http://refcloud", headers=ADMIN)
    return ComputeCloud(mount, client, hosts), placement_app


@pytest.fixture
def compute() -> Iterator[ComputeCloud]:
    cloud, placement_app = build()
    yield cloud
    cloud.http.close()
    cloud.app.compute.close()
    placement_app.db.dispose()
