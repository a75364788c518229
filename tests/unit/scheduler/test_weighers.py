"""Weighers: normalisation, spread versus pack, multipliers, host_subset_size."""

from __future__ import annotations

import random

import pytest
from refcloud.scheduler import weighers
from refcloud.scheduler.config import SchedulerConfig
from refcloud.scheduler.host_state import HostState


def host(name: str, ram_free: int, vcpus_free: int = 8, disk_free: int = 100) -> HostState:
    return HostState(uuid=name, name=name, cell_uuid="c", availability_zone="nova",
                     capacity={"MEMORY_MB": 10_000, "VCPU": 16, "DISK_GB": 200},
                     used={"MEMORY_MB": 10_000 - ram_free, "VCPU": 16 - vcpus_free,
                           "DISK_GB": 200 - disk_free})


def names(weighed: list[weighers.WeighedHost]) -> list[str]:
    return [w.host.name for w in weighed]


def test_normalize_uses_minval_and_gives_zeros_when_flat() -> None:
    assert weighers.normalize([0, 5, 10], minval=0) == [0.0, 0.5, 1.0]
    assert weighers.normalize([5, 10], minval=0) == [0.5, 1.0]
    assert weighers.normalize([5, 10]) == [0.0, 1.0]
    assert weighers.normalize([7, 7, 7], minval=7) == [0.0, 0.0, 0.0]
    assert weighers.normalize([]) == []


def test_positive_ram_multiplier_spreads() -> None:
    hosts = [host("a", 1000), host("b", 9000), host("c", 5000)]
    only_ram = SchedulerConfig(cpu_weight_multiplier=0, disk_weight_multiplier=0)
    assert names(weighers.weigh(hosts, weighers.weighers(only_ram))) == ["b", "c", "a"]


def test_negative_ram_multiplier_packs() -> None:
    hosts = [host("a", 1000), host("b", 9000), host("c", 5000)]
    pack = SchedulerConfig(ram_weight_multiplier=-1, cpu_weight_multiplier=0,
                           disk_weight_multiplier=0)
    assert names(weighers.weigh(hosts, weighers.weighers(pack))) == ["a", "c", "b"]


def test_multipliers_scale_each_weigher() -> None:
    # a: most RAM, least CPU; b: the reverse. The bigger multiplier decides.
    hosts = [host("a", 9000, vcpus_free=1), host("b", 1000, vcpus_free=9)]
    ram_heavy = SchedulerConfig(ram_weight_multiplier=3, cpu_weight_multiplier=1,
                                disk_weight_multiplier=0)
    cpu_heavy = SchedulerConfig(ram_weight_multiplier=1, cpu_weight_multiplier=3,
                                disk_weight_multiplier=0)
    assert names(weighers.weigh(hosts, weighers.weighers(ram_heavy)))[0] == "a"
    assert names(weighers.weigh(hosts, weighers.weighers(cpu_heavy)))[0] == "b"
    weighed = weighers.weigh(hosts, weighers.weighers(ram_heavy))
    assert weighed[0].weight == pytest.approx(3 * 1.0 + 1 * (1 / 9))


def test_equal_weights_keep_placement_order() -> None:
    hosts = [host(n, 5000) for n in "dcab"]
    assert names(weighers.weigh(hosts, weighers.weighers(SchedulerConfig()))) == list("dcab")


def test_zero_multiplier_disables_a_weigher() -> None:
    active = weighers.weighers(SchedulerConfig(ram_weight_multiplier=0))
    assert [w.name for w in active] == ["CPUWeigher", "DiskWeigher"]


def test_host_subset_size_picks_among_the_best_and_keeps_the_rest_in_order() -> None:
    hosts = [host(f"h{i}", 9000 - 1000 * i) for i in range(6)]
    weighed = weighers.weigh(hosts, weighers.weighers(SchedulerConfig()))
    firsts = set()
    for seed in range(60):
        picked = names(weighers.pick_first(weighed, 3, random.Random(seed)))
        firsts.add(picked[0])
        rest = [n for n in names(weighed) if n != picked[0]]
        assert picked[1:] == rest
    assert firsts == {"h0", "h1", "h2"}
    assert names(weighers.pick_first(weighed, 1, random.Random(0))) == names(weighed)
