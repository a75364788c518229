"""What a scheduling request asks for, and the Placement query it becomes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

#: Root trait Nova's compute_status_filter forbids (a disabled compute service).
COMPUTE_STATUS_DISABLED = "COMPUTE_STATUS_DISABLED"


@dataclass(frozen=True)
class Flavor:
    """An instance size: VCPU, MEMORY_MB and DISK_GB go to the unsuffixed group."""

    name: str
    vcpus: int
    memory_mb: int
    disk_gb: int
    flavor_id: str = ""

    @property
    def resources(self) -> dict[str, int]:
        wanted = {"VCPU": self.vcpus, "MEMORY_MB": self.memory_mb, "DISK_GB": self.disk_gb}
        return {rc: amount for rc, amount in wanted.items() if amount > 0}


@dataclass(frozen=True)
class ResourceRequest:
    """The ``GET /allocation_candidates`` query of one request."""

    resources: Mapping[str, int]
    required: tuple[str, ...] = ()
    member_of: tuple[str, ...] = ()
    root_forbidden: tuple[str, ...] = (COMPUTE_STATUS_DISABLED,)
    limit: int | None = None

    def to_querystring(self) -> str:
        """Sorted, url-encoded parameters, as Nova's ``ResourceRequest.to_querystring``."""
        params: list[tuple[str, str]] = []
        if self.limit is not None:
            params.append(("limit", str(self.limit)))
        if self.member_of:
            params.append(("member_of", "in:" + ",".join(sorted(self.member_of))))
        if self.required:
            params.append(("required", ",".join(sorted(self.required))))
        params.append(("resources", ",".join(
            f"{rc}:{amount}" for rc, amount in sorted(self.resources.items()))))
        if self.root_forbidden:
            params.append(("root_required", ",".join(f"!{t}" for t in sorted(self.root_forbidden))))
        return urlencode(sorted(params))


@dataclass(frozen=True)
class RequestSpec:
    """One scheduling request (for one or more identical instances).

    ``ignore_hosts``/``force_hosts`` are host names; ``requested_cell`` (a cell
    uuid, which is also the cell's Placement aggregate) keeps a move in the
    instance's cell; ``availability_zone`` limits to hosts in it.
    """

    flavor: Flavor
    project_id: str
    user_id: str
    availability_zone: str | None = None
    required_traits: tuple[str, ...] = ()
    ignore_hosts: frozenset[str] = field(default_factory=frozenset)
    force_hosts: frozenset[str] = field(default_factory=frozenset)
    requested_cell: str | None = None

    @property
    def resources(self) -> dict[str, int]:
        return self.flavor.resources

    def resource_request(self, limit: int | None) -> ResourceRequest:
        member_of = (self.requested_cell,) if self.requested_cell else ()
        return ResourceRequest(resources=self.resources, required=self.required_traits,
                               member_of=member_of, limit=limit)
