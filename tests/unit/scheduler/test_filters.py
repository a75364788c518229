"""Filters: pure functions of a host and the request."""

from __future__ import annotations

import dataclasses

import pytest
from refcloud.scheduler import filters
from refcloud.scheduler.host_state import HostState
from refcloud.scheduler.request_spec import COMPUTE_STATUS_DISABLED

from .cloud import spec


def host(name: str, cell: str = "cell-a", zone: str = "nova",
         traits: frozenset[str] = frozenset()) -> HostState:
    return HostState(uuid=name, name=name, cell_uuid=cell, availability_zone=zone,
                     capacity={}, used={}, traits=traits)


def run(hosts: list[HostState], **spec_changes: object) -> list[str]:
    request = dataclasses.replace(spec(), **spec_changes)
    chosen = filters.filter_hosts(hosts, request, filters.resolve(filters.FILTERS))
    return [h.name for h in chosen]


def test_compute_filter_drops_disabled_hosts() -> None:
    hosts = [host("a"), host("b", traits=frozenset({COMPUTE_STATUS_DISABLED}))]
    assert run(hosts) == ["a"]


def test_availability_zone_filter() -> None:
    hosts = [host("a", zone="az1"), host("b", zone="az2")]
    assert run(hosts, availability_zone="az2") == ["b"]
    assert run(hosts) == ["a", "b"]


def test_ignore_and_force_hosts() -> None:
    hosts = [host("a"), host("b"), host("c")]
    assert run(hosts, ignore_hosts=frozenset({"b"})) == ["a", "c"]
    assert run(hosts, force_hosts=frozenset({"c"})) == ["c"]


def test_same_cell_filter() -> None:
    hosts = [host("a", cell="x"), host("b", cell="y")]
    assert run(hosts, requested_cell="y") == ["b"]


def test_unknown_filter_name_is_refused() -> None:
    with pytest.raises(ValueError, match="NoSuchFilter"):
        filters.resolve(["ComputeFilter", "NoSuchFilter"])
