"""Host filters: pure functions ``(host, spec) -> bool``, run in the configured order.

Quantitative fit (RAM, CPU, disk) is Placement's job, as in Nova; these only
remove hosts the request must not land on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from refcloud.scheduler.host_state import HostState
from refcloud.scheduler.request_spec import COMPUTE_STATUS_DISABLED, RequestSpec

Filter = Callable[[HostState, RequestSpec], bool]


def compute_filter(host: HostState, spec: RequestSpec) -> bool:
    """The compute service is enabled (no COMPUTE_STATUS_DISABLED trait on the root)."""
    return COMPUTE_STATUS_DISABLED not in host.traits


def availability_zone_filter(host: HostState, spec: RequestSpec) -> bool:
    """The host is in the requested availability zone, if one was asked for."""
    return spec.availability_zone is None or host.availability_zone == spec.availability_zone


def ignore_hosts_filter(host: HostState, spec: RequestSpec) -> bool:
    """The host is not one the request excludes (e.g. a migration's source)."""
    return host.name not in spec.ignore_hosts


def force_hosts_filter(host: HostState, spec: RequestSpec) -> bool:
    """The host is one of the forced hosts, if any were forced."""
    return not spec.force_hosts or host.name in spec.force_hosts


def same_cell_filter(host: HostState, spec: RequestSpec) -> bool:
    """The host is in the requested cell, if one was asked for."""
    return spec.requested_cell is None or host.cell_uuid == spec.requested_cell


FILTERS: dict[str, Filter] = {
    "ComputeFilter": compute_filter,
    "AvailabilityZoneFilter": availability_zone_filter,
    "IgnoreHostsFilter": ignore_hosts_filter,
    "ForceHostsFilter": force_hosts_filter,
    "SameCellFilter": same_cell_filter,
}


#: Filters that can only remove a host when the request asks for something.
_NEEDED_WHEN: dict[Filter, Callable[[RequestSpec], bool]] = {
    availability_zone_filter: lambda spec: spec.availability_zone is not None,
    ignore_hosts_filter: lambda spec: bool(spec.ignore_hosts),
    force_hosts_filter: lambda spec: bool(spec.force_hosts),
    same_cell_filter: lambda spec: spec.requested_cell is not None,
}


def resolve(names: Iterable[str]) -> list[Filter]:
    """The filter functions for configured names; ValueError for an unknown name."""
    unknown = [n for n in names if n not in FILTERS]
    if unknown:
        raise ValueError(f"unknown scheduler filter(s): {', '.join(unknown)}")
    return [FILTERS[n] for n in names]


def filter_hosts(hosts: Iterable[HostState], spec: RequestSpec,
                 filters: Sequence[Filter]) -> list[HostState]:
    """Hosts passing every filter, in their original order."""
    passing = list(hosts)
    for check in filters:
        needed = _NEEDED_WHEN.get(check)
        if needed is None or needed(spec):
            passing = [h for h in passing if check(h, spec)]
    return passing
