"""Helpers for scheduler tests: register compute hosts in cells on a refcloud Placement."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from refcloud.scheduler.cells import HostMap
from refcloud.scheduler.client import PlacementClient
from refcloud.scheduler.request_spec import Flavor, RequestSpec

FLAVOR = Flavor("small", 1, 1024, 10)
PROJECT = "5c4ed000-0000-4000-8000-0000000000a1"
USER = "5c4ed000-0000-4000-8000-0000000000b2"


def inventory(vcpus: int = 4, ram: int = 4096, disk: int = 100) -> dict[str, dict[str, int]]:
    return {"VCPU": {"total": vcpus}, "MEMORY_MB": {"total": ram}, "DISK_GB": {"total": disk}}


def spec(flavor: Flavor = FLAVOR) -> RequestSpec:
    return RequestSpec(flavor, PROJECT, USER)


@dataclass
class Cloud:
    """Compute hosts registered in a Placement, by name, with their cells."""

    placement: PlacementClient
    cells: dict[str, str] = field(default_factory=dict)  # cell uuid -> name
    hosts: dict[str, str] = field(default_factory=dict)  # host name -> provider uuid
    cell_of: dict[str, str] = field(default_factory=dict)  # host name -> cell uuid

    def add_cell(self, name: str) -> str:
        cell = str(uuid.uuid4())
        self.cells[cell] = name
        return cell

    def add_host(self, name: str, cell: str, **sizes: int) -> str:
        rp = str(uuid.uuid4())
        self.placement.register_host(name, rp, inventory(**sizes), [cell])
        self.hosts[name] = rp
        self.cell_of[name] = cell
        return rp

    def host_map(self) -> HostMap:
        return HostMap(self.placement, self.cells, refresh_interval=0)

    def name_of(self, rp: str) -> str:
        return next(n for n, u in self.hosts.items() if u == rp)

    def usage(self, name: str) -> dict[str, int]:
        return self.placement.usages(self.hosts[name])

    def holders(self, consumer: str) -> dict[str, dict[str, int]]:
        """``{host name: resources}`` a consumer holds."""
        held = self.placement.get_allocations(consumer).allocations
        return {self.name_of(rp): res for rp, res in held.items()}
