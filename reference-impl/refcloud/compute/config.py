"""The servers API's configuration: cells, zones, flavors, retries."""

from __future__ import annotations

from dataclasses import dataclass, field

from refcloud.scheduler.cells import DEFAULT_AVAILABILITY_ZONE
from refcloud.scheduler.config import SchedulerConfig
from refcloud.scheduler.request_spec import Flavor

#: The cell used when none is configured; its uuid is also its Placement aggregate.
DEFAULT_CELL_UUID = "ce110000-0000-4000-8000-000000000001"
DEFAULT_CELLS = {DEFAULT_CELL_UUID: "cell1"}

DEFAULT_FLAVORS = (
    Flavor("m1.tiny", 1, 512, 1, "1"),
    Flavor("m1.small", 1, 2048, 20, "2"),
    Flavor("m1.medium", 2, 4096, 40, "3"),
    Flavor("m1.large", 4, 8192, 80, "4"),
    Flavor("m1.xlarge", 8, 16384, 160, "5"),
)


@dataclass(frozen=True)
class ComputeConfig:
    #: cell uuid -> name. A host belongs to the cell whose uuid is one of its
    #: Placement aggregates.
    cells: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CELLS))
    #: Placement aggregate uuid -> availability zone name.
    az_aggregates: dict[str, str] = field(default_factory=dict)
    default_availability_zone: str = DEFAULT_AVAILABILITY_ZONE
    flavors: tuple[Flavor, ...] = DEFAULT_FLAVORS
    #: Build attempts per instance: the conductor asks for max_attempts - 1 alternates.
    max_attempts: int = 3
    #: Run builds in the request thread (deterministic tests) instead of workers.
    inline_tasks: bool = False
    workers: int = 4
    #: Largest max_count in one POST /servers.
    max_count_limit: int = 100
    #: Seconds between re-reads of cell membership when a host is unknown.
    host_refresh_interval: float = 5.0
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    #: Seed of the simulated computes' fault dice (None: random).
    seed: int | None = None

    def flavor(self, ref: str) -> Flavor | None:
        return next((f for f in self.flavors if ref in (f.flavor_id, f.name)), None)

    @property
    def availability_zones(self) -> set[str]:
        return {self.default_availability_zone, *self.az_aggregates.values()}
