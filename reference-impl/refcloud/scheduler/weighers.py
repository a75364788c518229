"""Weighers: raw values per host, normalised to [0, 1], times a multiplier, summed.

As Nova: each weigher's values are normalised over the candidate hosts as
(v - minval) / (max - minval) with ``minval = 0`` for RAM, CPU and disk (all
0 when max equals minval); the products with the multipliers are summed and
hosts sorted best first (stable, so equal weights keep Placement's order).
A positive multiplier prefers the most free resource (spread), a negative
one the least (pack).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from refcloud.scheduler.config import SchedulerConfig
from refcloud.scheduler.host_state import HostState

RawWeigher = Callable[[HostState], float]


def ram(host: HostState) -> float:
    """RAMWeigher: free RAM in MB."""
    return host.capacity.get("MEMORY_MB", 0) - host.used.get("MEMORY_MB", 0)


def cpu(host: HostState) -> float:
    """CPUWeigher: vCPUs left (capacity x allocation ratio - used)."""
    return host.capacity.get("VCPU", 0) - host.used.get("VCPU", 0)


def disk(host: HostState) -> float:
    """DiskWeigher: free disk in MB."""
    return (host.capacity.get("DISK_GB", 0) - host.used.get("DISK_GB", 0)) * 1024


@dataclass(frozen=True)
class Weigher:
    name: str
    raw: RawWeigher
    multiplier: float
    minval: float | None = 0.0


@dataclass(frozen=True)
class WeighedHost:
    weight: float
    host: HostState


def weighers(config: SchedulerConfig) -> list[Weigher]:
    """The enabled weighers with the configured multipliers (0 disables one)."""
    found = [
        Weigher("RAMWeigher", ram, config.ram_weight_multiplier),
        Weigher("CPUWeigher", cpu, config.cpu_weight_multiplier),
        Weigher("DiskWeigher", disk, config.disk_weight_multiplier),
    ]
    return [w for w in found if w.multiplier != 0]


def normalize(values: Sequence[float], minval: float | None = None,
              maxval: float | None = None) -> list[float]:
    """Nova's ``weights.normalize``."""
    if not values:
        return []
    top = float(max(values) if maxval is None else maxval)
    low = float(min(values) if minval is None else minval)
    if top == low:
        return [0.0] * len(values)
    span = top - low
    return [(v - low) / span for v in values]


def weigh(hosts: Sequence[HostState], active: Sequence[Weigher]) -> list[WeighedHost]:
    """Hosts with their summed weights, best first (ties keep input order)."""
    totals = [0.0] * len(hosts)
    for weigher in active:
        values = normalize([weigher.raw(h) for h in hosts], minval=weigher.minval)
        for i, value in enumerate(values):
            totals[i] += weigher.multiplier * value
    order = sorted(range(len(hosts)), key=lambda i: -totals[i])
    return [WeighedHost(totals[i], hosts[i]) for i in order]


def pick_first(weighed: list[WeighedHost], subset_size: int,
               rng: random.Random) -> list[WeighedHost]:
    """Move a random one of the best ``subset_size`` hosts to the front."""
    if subset_size <= 1 or len(weighed) <= 1:
        return weighed
    chosen = rng.randrange(min(subset_size, len(weighed)))
    return [weighed[chosen], *weighed[:chosen], *weighed[chosen + 1:]]
