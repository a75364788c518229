"""Scheduler options (the names of Nova's, where Nova has one)."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_FILTERS = ("ComputeFilter", "AvailabilityZoneFilter", "IgnoreHostsFilter",
                   "ForceHostsFilter", "SameCellFilter")


@dataclass(frozen=True)
class SchedulerConfig:
    #: Weigher multipliers: positive spreads (most free wins), negative packs.
    ram_weight_multiplier: float = 1.0
    cpu_weight_multiplier: float = 1.0
    disk_weight_multiplier: float = 1.0
    #: The first host is picked at random among this many best-weighed ones.
    host_subset_size: int = 1
    #: ``limit`` on GET /allocation_candidates ([scheduler]max_placement_results).
    max_placement_results: int = 1000
    #: Filters to run, in order (names from ``refcloud.scheduler.filters.FILTERS``).
    enabled_filters: tuple[str, ...] = field(default=DEFAULT_FILTERS)
