"""Host states: what the scheduler knows about each compute node in one request.

Built from the allocation candidates: a compute node is a root provider that
the host map places in a cell; its free resources are the capacity minus the
usage Placement reported in ``provider_summaries`` (summed over its tree), and
its ``candidates`` are the allocation requests that touch its tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from refcloud.scheduler.cells import HostInfo, HostMap
from refcloud.scheduler.interface import Candidates


@dataclass(slots=True)
class HostState:
    uuid: str
    name: str
    cell_uuid: str
    availability_zone: str
    capacity: dict[str, int]
    used: dict[str, int]
    traits: frozenset[str] = frozenset()
    candidates: list[dict[str, Any]] = field(default_factory=list)
    num_instances: int = 0

    def free(self, resource_class: str) -> int:
        return self.capacity.get(resource_class, 0) - self.used.get(resource_class, 0)

    @property
    def free_ram_mb(self) -> int:
        return self.free("MEMORY_MB")

    @property
    def free_vcpus(self) -> int:
        return self.free("VCPU")

    @property
    def free_disk_mb(self) -> int:
        return self.free("DISK_GB") * 1024

    def fits(self, resources: Mapping[str, int]) -> bool:
        """Does what we know of this host (after this request's own claims) hold ``resources``?"""
        return all(self.free(rc) >= amount for rc, amount in resources.items())

    def consume(self, resources: Mapping[str, int]) -> None:
        """Account for an instance claimed here, so later instances see less room."""
        for rc, amount in resources.items():
            self.used[rc] = self.used.get(rc, 0) + amount
        self.num_instances += 1

    def limits(self) -> dict[str, int | None]:
        """SchedulerLimits: the capacity Placement enforces, per resource."""
        return {
            "numa_topology": None,
            "vcpu": self.capacity.get("VCPU"),
            "memory_mb": self.capacity.get("MEMORY_MB"),
            "disk_gb": self.capacity.get("DISK_GB"),
        }


def host_states(candidates: Candidates, host_map: HostMap) -> list[HostState]:
    """One HostState per compute node in the candidates, in Placement's order."""
    by_root: dict[str, list[dict[str, Any]]] = {}
    summaries = candidates.provider_summaries
    for request in candidates.allocation_requests:
        roots: list[str] = []
        for rp in request["allocations"]:
            root = summaries.get(rp, {}).get("root_provider_uuid") or rp
            if root not in roots:
                roots.append(root)
        for root in roots:
            by_root.setdefault(root, []).append(request)
    states: dict[str, HostState] = {}
    for rp, summary in summaries.items():
        root = summary.get("root_provider_uuid") or rp
        info = host_map.lookup(root)
        if info is None:
            continue
        state = states.get(root)
        if state is None:
            state = states[root] = _new_state(info, by_root.get(root, []))
        _add_summary(state, summary, is_root=(root == rp))
    return list(states.values())


def _new_state(info: HostInfo, requests: list[dict[str, Any]]) -> HostState:
    return HostState(uuid=info.uuid, name=info.name, cell_uuid=info.cell_uuid,
                     availability_zone=info.availability_zone, capacity={}, used={},
                     candidates=list(requests))


def _add_summary(state: HostState, summary: Mapping[str, Any], *, is_root: bool) -> None:
    for rc, usage in summary.get("resources", {}).items():
        state.capacity[rc] = state.capacity.get(rc, 0) + int(usage.get("capacity", 0))
        state.used[rc] = state.used.get(rc, 0) + int(usage.get("used", 0))
    if is_root:
        state.traits = frozenset(summary.get("traits", ()))
