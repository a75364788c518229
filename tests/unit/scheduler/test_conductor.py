"""The conductor: a failed build moves to an alternate, with its allocations."""

from __future__ import annotations

import random
import uuid

from refcloud.compute.conductor import EXHAUSTED, Conductor
from refcloud.compute.hosts import ComputeFleet, Fault
from refcloud.scheduler import Flavor, RequestSpec, Scheduler

from .cloud import FLAVOR, Cloud, spec


def setup(cloud: Cloud, hosts: int = 3) -> tuple[Conductor, ComputeFleet]:
    cell = cloud.add_cell("one")
    for i in range(hosts):  # h0 has the most free RAM: the spread weigher picks it first
        cloud.add_host(f"h{i}", cell, ram=8192 - 1024 * i)
    fleet = ComputeFleet(random.Random(0))
    return Conductor(cloud.placement, Scheduler(cloud.placement, cloud.host_map()), fleet), fleet


def test_failed_build_succeeds_on_an_alternate_with_allocations_moved(cloud: Cloud) -> None:
    conductor, fleet = setup(cloud)
    fleet.set_fault("h0", Fault(always=True))
    instance = str(uuid.uuid4())
    [result] = conductor.schedule_and_build(spec(), [instance], 2)
    assert result.ok
    assert [(a.host, a.outcome) for a in result.attempts] == [("h0", "failed"), ("h1", "built")]
    assert result.selection.service_host == "h1"
    assert cloud.usage("h0") == {"VCPU": 0, "MEMORY_MB": 0, "DISK_GB": 0}
    assert cloud.usage("h1") == FLAVOR.resources
    assert cloud.holders(instance) == {"h1": FLAVOR.resources}


def test_exhausted_alternates_end_in_error_with_nothing_held(cloud: Cloud) -> None:
    conductor, fleet = setup(cloud)
    for name in ("h0", "h1", "h2"):
        fleet.set_fault(name, Fault(always=True))
    instance = str(uuid.uuid4())
    [result] = conductor.schedule_and_build(spec(), [instance], 1)
    assert not result.ok
    assert result.fault == EXHAUSTED.format(uuid=instance)
    assert "Simulated build failure" in result.fault_details
    assert [a.host for a in result.attempts] == ["h0", "h1"]  # 1 + 1 alternate, no more
    assert cloud.holders(instance) == {}
    assert all(cloud.usage(n)["VCPU"] == 0 for n in cloud.hosts)


def test_no_alternates_means_one_attempt(cloud: Cloud) -> None:
    conductor, fleet = setup(cloud)
    fleet.set_fault("h0", Fault(always=True))
    [result] = conductor.schedule_and_build(spec(), [str(uuid.uuid4())], 0)
    assert not result.ok and len(result.attempts) == 1


def test_an_alternate_filled_meanwhile_is_discarded_for_the_next(cloud: Cloud) -> None:
    conductor, fleet = setup(cloud, hosts=3)
    fleet.set_fault("h0", Fault(always=True))
    instance = str(uuid.uuid4())
    [[first, second, third]] = conductor.scheduler.select_destinations(spec(), [instance], 2)
    assert (first.service_host, second.service_host) == ("h0", "h1")
    # Someone else fills h1 between scheduling and the retry.
    filler = {"allocations": {cloud.hosts["h1"]: {"resources": {"VCPU": 4}}}}
    assert cloud.placement.claim(str(uuid.uuid4()), filler, "p", "u")
    result = conductor.build(instance, spec(), [first, second, third])
    assert [(a.host, a.outcome) for a in result.attempts] == [
        ("h0", "failed"), ("h1", "claim_conflict"), ("h2", "built")]
    assert cloud.holders(instance) == {"h2": FLAVOR.resources}


def test_unclaimed_host_list_spends_an_entry_on_a_refused_claim(cloud: Cloud) -> None:
    conductor, _ = setup(cloud, hosts=2)
    instance = str(uuid.uuid4())
    [hosts] = conductor.scheduler.select_destinations(spec(), [instance], 1, claim=False)
    filler = {"allocations": {hosts[0].compute_node_uuid: {"resources": {"VCPU": 4}}}}
    assert cloud.placement.claim(str(uuid.uuid4()), filler, "p", "u")
    result = conductor.build(instance, spec(), hosts, first_claimed=False)
    assert [a.outcome for a in result.attempts] == ["claim_conflict", "built"]
    assert cloud.holders(instance) == {hosts[1].service_host: FLAVOR.resources}


def test_no_valid_host_is_an_error_result(cloud: Cloud) -> None:
    conductor, _ = setup(cloud, hosts=1)
    huge = RequestSpec(Flavor("huge", 64, 1024, 1), "p", "u")
    [result] = conductor.schedule_and_build(huge, [str(uuid.uuid4())], 2)
    assert not result.ok and result.attempts == []
    assert result.fault.startswith("No valid host was found.")
