"""select_destinations: filter, weigh, claim (walking on past failed claims), alternates.

For each instance of a request, in order: filter and weigh the hosts (their
free resources reduced by this request's earlier instances), then walk them
best first and claim the first host's first allocation candidate with
``PUT /allocations/{instance}``; a claim Placement refuses (the host filled
up since the candidates were read) moves the walk on to the next host, so
the host returned first is always one this instance holds. If some instance
cannot be claimed anywhere, every claim the request made is deleted and
NoValidHost raised (all or nothing). Alternates (not claimed) come from the
selected host's cell, are never a host selected by this request nor one
whose claim just failed, and number at most ``num_alternates``.

``claim=False`` is the design this replaced: the same choice and alternates
without any claim, leaving claims to the conductor (used by the benchmark).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from refcloud.scheduler import filters as filters_mod
from refcloud.scheduler import weighers as weighers_mod
from refcloud.scheduler.cells import HostMap
from refcloud.scheduler.config import SchedulerConfig
from refcloud.scheduler.host_state import HostState, host_states
from refcloud.scheduler.interface import (
    ALLOCATION_REQUEST_VERSION,
    AllocationUpdateFailed,
    NoValidHost,
    Placement,
    PlacementError,
)
from refcloud.scheduler.request_spec import RequestSpec
from refcloud.scheduler.selection import Selection

LOG = logging.getLogger(__name__)


@dataclass
class SchedulerStats:
    """Counters over the scheduler's life (thread-safe increments)."""

    requests: int = 0
    claims: int = 0
    claim_conflicts: int = 0
    no_valid_host: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def add(self, **deltas: int) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)


class Scheduler:
    def __init__(self, placement: Placement, host_map: HostMap,
                 config: SchedulerConfig | None = None, rng: random.Random | None = None) -> None:
        self.placement = placement
        self.host_map = host_map
        self.config = config or SchedulerConfig()
        self._filters = filters_mod.resolve(self.config.enabled_filters)
        self._weighers = weighers_mod.weighers(self.config)
        self._rng = rng or random.Random()
        self.stats = SchedulerStats()

    def select_destinations(
        self,
        spec: RequestSpec,
        instance_uuids: Sequence[str],
        num_alternates: int = 0,
        *,
        claim: bool = True,
    ) -> list[list[Selection]]:
        """Per instance, ``[selected, *alternates]``; element 0 is claimed (unless ``claim=False``).

        Raises NoValidHost (after releasing this request's claims) when not
        every instance fits; AllocationUpdateFailed when an instance consumer
        already has allocations written by someone else.
        """
        if not instance_uuids:
            raise ValueError("select_destinations needs at least one instance uuid")
        self.stats.add(requests=1)
        request = spec.resource_request(self.config.max_placement_results)
        hosts = host_states(self.placement.allocation_candidates(request), self.host_map)
        chosen: list[tuple[str, HostState, dict[str, Any]]] = []
        failed: set[str] = set()
        ordered: list[HostState] = []
        try:
            for instance in instance_uuids:
                ordered = self.sorted_hosts(hosts, spec)
                picked = self._walk(ordered, spec, instance, claim, failed)
                if picked is None:
                    raise NoValidHost()
                host, allocation_request = picked
                host.consume(spec.resources)
                chosen.append((instance, host, allocation_request))
        except (NoValidHost, PlacementError) as exc:
            if claim:
                self._release(instance for instance, _h, _a in chosen)
            if isinstance(exc, NoValidHost):
                self.stats.add(no_valid_host=1)
            raise
        if num_alternates > 0 and len(instance_uuids) > 1:
            ordered = self.sorted_hosts(hosts, spec)
        selected = {host.uuid for _i, host, _a in chosen}
        result: list[list[Selection]] = []
        for _instance, host, allocation_request in chosen:
            first = Selection.from_host_state(host, allocation_request, ALLOCATION_REQUEST_VERSION)
            alternates = self._alternates(host, ordered, spec, selected | failed, num_alternates)
            result.append([first, *alternates])
        return result

    def sorted_hosts(self, hosts: Iterable[HostState], spec: RequestSpec) -> list[HostState]:
        """Filtered hosts, best weighed first (one of the best ``host_subset_size`` first)."""
        passing = filters_mod.filter_hosts(hosts, spec, self._filters)
        weighed = weighers_mod.weigh(passing, self._weighers)
        weighed = weighers_mod.pick_first(weighed, self.config.host_subset_size, self._rng)
        return [w.host for w in weighed]

    def _walk(self, ordered: Sequence[HostState], spec: RequestSpec, instance: str,
              claim: bool, failed: set[str]) -> tuple[HostState, dict[str, Any]] | None:
        for host in ordered:
            if not host.candidates or host.uuid in failed or not host.fits(spec.resources):
                continue
            allocation_request = host.candidates[0]
            if not claim:
                return host, allocation_request
            self.stats.add(claims=1)
            if self.placement.claim(instance, allocation_request, spec.project_id,
                                    spec.user_id, ALLOCATION_REQUEST_VERSION):
                return host, allocation_request
            LOG.debug("claim for %s on %s failed; trying the next host", instance, host.name)
            self.stats.add(claim_conflicts=1)
            failed.add(host.uuid)
        return None

    def _alternates(self, selected: HostState, ordered: Sequence[HostState], spec: RequestSpec,
                    excluded: set[str], wanted: int) -> list[Selection]:
        alternates: list[Selection] = []
        for host in ordered:
            if len(alternates) >= wanted:
                break
            if (host.cell_uuid != selected.cell_uuid or host.uuid in excluded
                    or not host.candidates or not host.fits(spec.resources)):
                continue
            alternates.append(Selection.from_host_state(host, host.candidates[0],
                                                        ALLOCATION_REQUEST_VERSION))
        return alternates

    def _release(self, instances: Iterable[str]) -> None:
        for instance in instances:
            try:
                self.placement.delete_allocations(instance)
            except PlacementError:
                LOG.exception("could not release the claim of %s", instance)


__all__ = ["AllocationUpdateFailed", "NoValidHost", "Scheduler", "SchedulerStats"]
