"""select_destinations against a real (in-process) refcloud Placement over HTTP."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from refcloud.scheduler import NoValidHost, Scheduler, SchedulerConfig
from refcloud.scheduler.interface import AllocationUpdateFailed, Candidates, Placement
from refcloud.scheduler.request_spec import ResourceRequest

from .cloud import FLAVOR, Cloud, spec


def new_ids(n: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


class StaleReads:
    """Delegates to Placement, but every caller waits after reading candidates until
    ``parties`` callers have read them: all then claim from the same stale view."""

    def __init__(self, placement: Placement, parties: int) -> None:
        self._placement = placement
        self._barrier = threading.Barrier(parties, timeout=30)

    def allocation_candidates(self, request: ResourceRequest) -> Candidates:
        found = self._placement.allocation_candidates(request)
        self._barrier.wait()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._placement, name)


class RefuseOnce:
    """Delegates to Placement, but refuses the first claim on ``host_uuid`` (as if another
    request had just filled it)."""

    def __init__(self, placement: Placement, host_uuid: str) -> None:
        self._placement = placement
        self.host_uuid = host_uuid
        self.refused = 0

    def claim(self, consumer: str, request: dict, *args: Any, **kwargs: Any) -> bool:
        if self.host_uuid in request["allocations"] and not self.refused:
            self.refused += 1
            return False
        return self._placement.claim(consumer, request, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._placement, name)


def test_racing_requests_never_get_a_first_host_they_do_not_hold(cloud: Cloud) -> None:
    cell = cloud.add_cell("one")
    for i in range(4):
        cloud.add_host(f"h{i}", cell, vcpus=2)  # room for 2 instances each: 8 in all
    racers = 16
    scheduler = Scheduler(StaleReads(cloud.placement, racers), cloud.host_map())
    instances = new_ids(racers)
    results: dict[str, Any] = {}

    def race(instance: str) -> None:
        try:
            results[instance] = scheduler.select_destinations(spec(), [instance], 0)
        except NoValidHost as exc:
            results[instance] = exc

    threads = [threading.Thread(target=race, args=(i,)) for i in instances]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    winners = {i: r for i, r in results.items() if isinstance(r, list)}
    assert len(results) == racers
    assert len(winners) == 8
    assert scheduler.stats.claim_conflicts > 0  # they really raced for the same hosts
    for instance, [[selected]] in winners.items():
        assert cloud.holders(instance) == {cloud.name_of(selected.compute_node_uuid):
                                           FLAVOR.resources}
    for instance in set(instances) - set(winners):
        assert cloud.holders(instance) == {}
    for name in cloud.hosts:
        assert cloud.usage(name)["VCPU"] == 2


def _three_cells(cloud: Cloud, per_cell: int = 4) -> None:
    for c in "abc":
        cell = cloud.add_cell(c)
        for i in range(per_cell):
            cloud.add_host(f"{c}{i}", cell, ram=4096 + 512 * i)


def test_alternates_are_same_cell_unclaimed_and_at_most_the_number_asked(cloud: Cloud) -> None:
    _three_cells(cloud)
    scheduler = Scheduler(cloud.placement, cloud.host_map())
    [instance] = new_ids(1)
    [[selected, *alternates]] = scheduler.select_destinations(spec(), [instance], 2)
    assert len(alternates) == 2
    assert {a.cell_uuid for a in alternates} == {selected.cell_uuid}
    assert selected.compute_node_uuid not in {a.compute_node_uuid for a in alternates}
    assert cloud.holders(instance) == {cloud.name_of(selected.compute_node_uuid):
                                       FLAVOR.resources}
    for alternate in alternates:  # carries its own request for the conductor, not claimed
        assert list(alternate.allocation()["allocations"]) == [alternate.compute_node_uuid]
        assert cloud.usage(cloud.name_of(alternate.compute_node_uuid))["VCPU"] == 0

    [[selected, *alternates]] = scheduler.select_destinations(spec(), new_ids(1), 10)
    assert len(alternates) == 3  # the rest of the cell: fewer than asked is fine
    assert {a.cell_uuid for a in alternates} == {selected.cell_uuid}
    [[only]] = scheduler.select_destinations(spec(), new_ids(1), 0)
    assert only.allocation_request_version == "1.36"


def test_multi_create_alternates_never_include_a_host_of_the_request(cloud: Cloud) -> None:
    _three_cells(cloud)
    scheduler = Scheduler(cloud.placement, cloud.host_map())
    instances = new_ids(3)
    host_lists = scheduler.select_destinations(spec(), instances, 3)
    selected = {hosts[0].compute_node_uuid for hosts in host_lists}
    for instance, [first, *alternates] in zip(instances, host_lists, strict=True):
        assert cloud.holders(instance) == {cloud.name_of(first.compute_node_uuid):
                                           FLAVOR.resources}
        assert alternates and len(alternates) <= 3
        assert not selected & {a.compute_node_uuid for a in alternates}
        assert {a.cell_uuid for a in alternates} == {first.cell_uuid}


def test_walk_skips_a_host_whose_claim_fails_and_never_offers_it_again(cloud: Cloud) -> None:
    cell = cloud.add_cell("one")
    best = cloud.add_host("best", cell, ram=8192)
    for i in range(3):
        cloud.add_host(f"h{i}", cell)
    refusing = RefuseOnce(cloud.placement, best)
    scheduler = Scheduler(refusing, cloud.host_map())
    [instance] = new_ids(1)
    [[selected, *alternates]] = scheduler.select_destinations(spec(), [instance], 3)
    assert refusing.refused == 1
    assert selected.compute_node_uuid != best
    assert best not in {a.compute_node_uuid for a in alternates}
    assert cloud.holders(instance) == {cloud.name_of(selected.compute_node_uuid):
                                       FLAVOR.resources}
    assert scheduler.stats.claim_conflicts == 1


def test_multi_create_that_cannot_fit_releases_every_claim(cloud: Cloud) -> None:
    cell = cloud.add_cell("one")
    for i in range(2):
        cloud.add_host(f"h{i}", cell, vcpus=1)  # one instance each
    scheduler = Scheduler(cloud.placement, cloud.host_map())
    instances = new_ids(3)
    with pytest.raises(NoValidHost, match="not enough hosts"):
        scheduler.select_destinations(spec(), instances, 2)
    assert scheduler.stats.claims == 2  # two instances had been claimed ...
    for instance in instances:  # ... and were released
        assert cloud.holders(instance) == {}
    for name in cloud.hosts:
        assert cloud.usage(name)["VCPU"] == 0


def test_consumer_conflict_fails_the_request_and_releases_earlier_claims(cloud: Cloud) -> None:
    cell = cloud.add_cell("one")
    for i in range(3):
        cloud.add_host(f"h{i}", cell)
    first, taken = new_ids(2)
    other = cloud.hosts["h2"]
    held = {"allocations": {other: {"resources": {"VCPU": 1}}}}
    assert cloud.placement.claim(taken, held, "p", "u")
    scheduler = Scheduler(cloud.placement, cloud.host_map())
    with pytest.raises(AllocationUpdateFailed):
        scheduler.select_destinations(spec(), [first, taken], 0)
    assert cloud.holders(first) == {}
    assert cloud.holders(taken) == {"h2": {"VCPU": 1}}


@pytest.mark.parametrize(("multiplier", "same_host"), [(1.0, False), (-1.0, True)])
def test_spread_or_pack_across_a_multi_create(cloud: Cloud, multiplier: float,
                                              same_host: bool) -> None:
    cell = cloud.add_cell("one")
    for i in range(3):
        cloud.add_host(f"h{i}", cell)
    config = SchedulerConfig(ram_weight_multiplier=multiplier, cpu_weight_multiplier=multiplier,
                             disk_weight_multiplier=multiplier)
    scheduler = Scheduler(cloud.placement, cloud.host_map(), config)
    lists = scheduler.select_destinations(spec(), new_ids(2), 0)
    hosts = {hosts[0].compute_node_uuid for hosts in lists}
    assert (len(hosts) == 1) is same_host


def test_without_claims_the_host_list_is_unclaimed(cloud: Cloud) -> None:
    _three_cells(cloud)
    scheduler = Scheduler(cloud.placement, cloud.host_map())
    [instance] = new_ids(1)
    [[selected, *alternates]] = scheduler.select_destinations(spec(), [instance], 2, claim=False)
    assert cloud.holders(instance) == {}
    assert len(alternates) == 2 and {a.cell_uuid for a in alternates} == {selected.cell_uuid}
    assert scheduler.stats.claims == 0


def test_disabled_or_cell_less_hosts_are_never_chosen(cloud: Cloud) -> None:
    cell = cloud.add_cell("one")
    disabled = cloud.add_host("disabled", cell, ram=8192)
    cloud.add_host("enabled", cell)
    cloud.placement.set_traits(disabled, ["COMPUTE_STATUS_DISABLED"])
    scheduler = Scheduler(cloud.placement, cloud.host_map())
    [[selected]] = scheduler.select_destinations(spec(), new_ids(1), 0)
    assert selected.service_host == "enabled"
    with pytest.raises(NoValidHost):
        scheduler.select_destinations(spec(), new_ids(5), 0)
