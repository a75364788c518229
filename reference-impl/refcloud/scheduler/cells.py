"""Which cell (and availability zone) each compute node belongs to.

The operator assigns hosts to cells with Placement aggregates: a cell's uuid
is also the uuid of a Placement aggregate, and a compute node (a root
resource provider; its name is the host name) belongs to the cell whose
aggregate it is a member of (``PUT /resource_providers/{rp}/aggregates``).
Availability zones work the same way through ``az_aggregates``. A provider in
no configured cell is not a compute node the scheduler will use (as a Nova
compute node not yet mapped by ``discover_hosts``); one in two cells belongs
to the first in the configured order.

The map is read from Placement (``GET /resource_providers?member_of=...``
per cell) on first use and again when asked about a provider it does not
know, at most every ``refresh_interval`` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from refcloud.scheduler.interface import Placement

DEFAULT_AVAILABILITY_ZONE = "nova"


@dataclass(frozen=True)
class HostInfo:
    uuid: str
    name: str
    cell_uuid: str
    availability_zone: str = DEFAULT_AVAILABILITY_ZONE


class HostMap:
    """compute node uuid -> HostInfo (name, cell, availability zone)."""

    def __init__(
        self,
        placement: Placement | None,
        cells: Mapping[str, str],
        *,
        az_aggregates: Mapping[str, str] | None = None,
        default_availability_zone: str = DEFAULT_AVAILABILITY_ZONE,
        refresh_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``cells``: cell uuid -> cell name; ``az_aggregates``: aggregate uuid -> AZ name."""
        self._placement = placement
        self.cells = dict(cells)
        self._azs = dict(az_aggregates or {})
        self._default_az = default_availability_zone
        self._interval = refresh_interval
        self._clock = clock
        self._hosts: dict[str, HostInfo] = {}
        self._by_name: dict[str, HostInfo] = {}
        self._loaded_at: float | None = None
        self._lock = threading.Lock()

    @classmethod
    def static(cls, hosts: list[HostInfo], cells: Mapping[str, str]) -> HostMap:
        """A fixed map that never asks Placement (simulations, tests)."""
        host_map = cls(None, cells)
        host_map._install({h.uuid: h for h in hosts})
        return host_map

    def lookup(self, uuid: str) -> HostInfo | None:
        info = self._hosts.get(uuid)
        if info is None and self._due():
            self.refresh()
            info = self._hosts.get(uuid)
        return info

    def by_name(self, name: str) -> HostInfo | None:
        info = self._by_name.get(name)
        if info is None and self._due():
            self.refresh()
            info = self._by_name.get(name)
        return info

    def hosts(self) -> list[HostInfo]:
        if self._loaded_at is None:
            self.refresh()
        return sorted(self._hosts.values(), key=lambda h: h.name)

    def cell_name(self, cell_uuid: str) -> str | None:
        return self.cells.get(cell_uuid)

    def refresh(self) -> None:
        """Re-read cell and AZ membership from Placement."""
        if self._placement is None:
            return
        with self._lock:
            zones: dict[str, str] = {}
            for agg, zone in self._azs.items():
                for ref in self._placement.providers_in_aggregate(agg):
                    zones.setdefault(ref.uuid, zone)
            hosts: dict[str, HostInfo] = {}
            for cell_uuid in self.cells:
                for ref in self._placement.providers_in_aggregate(cell_uuid):
                    if ref.uuid != ref.root_provider_uuid or ref.uuid in hosts:
                        continue
                    hosts[ref.uuid] = HostInfo(ref.uuid, ref.name, cell_uuid,
                                               zones.get(ref.uuid, self._default_az))
            self._install(hosts)

    def _install(self, hosts: dict[str, HostInfo]) -> None:
        self._hosts = hosts
        self._by_name = {h.name: h for h in hosts.values()}
        self._loaded_at = self._clock()

    def _due(self) -> bool:
        if self._placement is None:
            return False
        return self._loaded_at is None or self._clock() - self._loaded_at >= self._interval
