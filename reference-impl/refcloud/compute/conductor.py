"""The conductor: schedule, build on the selected host, retry on the alternates.

As Nova's super-conductor plus the reschedule path of the cell conductor:
element 0 of each host list is already claimed by the scheduler; when its
build fails the instance's allocation is deleted and the next alternate is
claimed with its own allocation request (an alternate whose claim fails is
discarded and the next one popped), without going back to the scheduler.
When the list is exhausted the instance ends in ERROR with a fault saying so.

``claim_in_scheduler=False`` is the older design the benchmark compares
against: the scheduler claims nothing and the conductor claims every entry,
the first included, each refused claim using up one of the entries.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from refcloud.compute.hosts import BuildFailed, ComputeFleet
from refcloud.scheduler.interface import NoValidHost, Placement, PlacementError
from refcloud.scheduler.request_spec import RequestSpec
from refcloud.scheduler.scheduler import Scheduler
from refcloud.scheduler.selection import Selection

LOG = logging.getLogger(__name__)

EXHAUSTED = ("Exceeded maximum number of retries. Exhausted all hosts available for retrying "
             "build failures for instance {uuid}.")


@dataclass(frozen=True)
class Attempt:
    host: str
    outcome: Literal["built", "failed", "claim_conflict"]
    detail: str = ""


@dataclass
class BuildResult:
    instance_uuid: str
    selection: Selection | None = None
    attempts: list[Attempt] = field(default_factory=list)
    fault: str | None = None
    fault_details: str = ""
    #: Length of the host list the build was given (selected host + alternates).
    hosts_offered: int = 0

    @property
    def ok(self) -> bool:
        return self.selection is not None

    @property
    def claim_conflicts(self) -> int:
        return sum(1 for a in self.attempts if a.outcome == "claim_conflict")


class Conductor:
    def __init__(self, placement: Placement, scheduler: Scheduler, fleet: ComputeFleet) -> None:
        self.placement = placement
        self.scheduler = scheduler
        self.fleet = fleet

    def schedule_and_build(self, spec: RequestSpec, instance_uuids: Sequence[str],
                           num_alternates: int, *,
                           claim_in_scheduler: bool = True) -> list[BuildResult]:
        """Schedule all instances (all or nothing), then build each with retries."""
        try:
            host_lists = self.scheduler.select_destinations(
                spec, instance_uuids, num_alternates, claim=claim_in_scheduler)
        except (NoValidHost, PlacementError) as exc:
            return [BuildResult(u, fault=str(exc)) for u in instance_uuids]
        return [self.build(u, spec, hosts, first_claimed=claim_in_scheduler)
                for u, hosts in zip(instance_uuids, host_lists, strict=True)]

    def build(self, instance_uuid: str, spec: RequestSpec, host_list: Sequence[Selection], *,
              first_claimed: bool = True) -> BuildResult:
        """Build on ``host_list[0]``, then on each alternate in turn, until one succeeds."""
        result = BuildResult(instance_uuid, hosts_offered=len(host_list))
        remaining = list(host_list)
        claimed = first_claimed
        while remaining:
            selection = remaining.pop(0)
            host = selection.service_host
            if not claimed:
                try:
                    ok = self._claim(instance_uuid, spec, selection)
                except PlacementError as exc:
                    result.fault, result.fault_details = f"Claiming on {host} failed.", str(exc)
                    return result
                if not ok:
                    result.attempts.append(Attempt(host, "claim_conflict"))
                    continue
            claimed = False  # every later host must be claimed first
            try:
                self.fleet.build(host, instance_uuid)
            except BuildFailed as exc:
                result.attempts.append(Attempt(host, "failed", str(exc)))
                self._unclaim(instance_uuid)
                continue
            result.attempts.append(Attempt(host, "built"))
            result.selection = selection
            return result
        result.fault = EXHAUSTED.format(uuid=instance_uuid)
        failures = [a.detail for a in result.attempts if a.detail]
        result.fault_details = failures[-1] if failures else "No host in the list could be claimed."
        return result

    def _claim(self, instance_uuid: str, spec: RequestSpec, selection: Selection) -> bool:
        request = selection.allocation()
        if request is None:  # a host list without allocation requests: assume it fits
            return True
        return self.placement.claim(instance_uuid, request, spec.project_id, spec.user_id,
                                    selection.allocation_request_version or "1.36")

    def _unclaim(self, instance_uuid: str) -> None:
        try:
            self.placement.delete_allocations(instance_uuid)
        except PlacementError:
            LOG.exception("could not delete the allocations of %s", instance_uuid)
