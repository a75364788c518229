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

from refcloud.scheduler.cells import HostMap
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
    summaries = candidates.provider_summaries
    root_of = {rp: summary.get("root_provider_uuid") or rp for rp, summary in summaries.items()}
    by_root: dict[str, list[dict[str, Any]]] = {}
    for request in candidates.allocation_requests:
        allocations = request["allocations"]
        if len(allocations) == 1:  # the common case: one provider
            for rp in allocations:
                by_root.setdefault(root_of.get(rp, rp), []).append(request)
            continue
        for root in dict.fromkeys(root_of.get(rp, rp) for rp in allocations):
            by_root.setdefault(root, []).append(request)
    states: dict[str, HostState] = {}
    children: list[tuple[str, Mapping[str, Any]]] = []
    for rp, summary in summaries.items():
        if root_of[rp] != rp:
            children.append((rp, summary))
            continue
        info = host_map.lookup(rp)
        if info is None:
            continue
        resources = summary.get("resources", {})
        states[rp] = HostState(
            uuid=info.uuid, name=info.name, cell_uuid=info.cell_uuid,
            availability_zone=info.availability_zone,
            capacity={rc: int(u.get("capacity", 0)) for rc, u in resources.items()},
            used={rc: int(u.get("used", 0)) for rc, u in resources.items()},
            traits=frozenset(summary.get("traits", ())),
            candidates=by_root.get(rp, []))
    for rp, summary in children:
        state = states.get(root_of[rp])
        if state is not None:
            _add_child(state, summary)
    return list(states.values())


def _add_child(state: HostState, summary: Mapping[str, Any]) -> None:
    """Resources of a nested provider count towards its compute node."""
    capacity, used = state.capacity, state.used
    for rc, usage in summary.get("resources", {}).items():
        capacity[rc] = capacity.get(rc, 0) + int(usage.get("capacity", 0))
        used[rc] = used.get(rc, 0) + int(usage.get("used", 0))
