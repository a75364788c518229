"""An in-memory Placement for the scheduler benchmark, with concurrent requesters modelled.

It implements what ``refcloud.scheduler.interface.Placement`` promises (the
wire shapes of allocation candidates at 1.36; all-or-nothing claims refused
when capacity would be exceeded; deletes) for flat compute nodes and one
flavor, fast enough for hundreds of thousands of scheduling decisions.

Concurrency is modelled as a pipeline of ``requesters`` builds in flight:
``begin(k)`` starts build k, and its ``GET /allocation_candidates`` sees
Placement as it was before the ``requesters - 1`` previous builds did
anything (they are still between reading candidates and claiming), while
its claims meet the live state. That is where claim conflicts come from.
Candidates are the first ``limit`` fitting hosts in provider order (Nova's
``max_placement_results`` on Placement's defaults), or a random sample of
them with ``randomize`` (Placement's ``randomize_allocation_candidates``).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from refcloud.scheduler.interface import Candidates, ConsumerAllocations, ProviderRef
from refcloud.scheduler.request_spec import ResourceRequest

RESOURCES = ("VCPU", "MEMORY_MB", "DISK_GB")


@dataclass(frozen=True)
class Snapshot:
    """One host's provider summary at some moment, and its free resources."""

    summary: dict[str, Any]
    free: tuple[int, ...]


class ModelPlacement:
    def __init__(self, capacity: Mapping[str, tuple[int, int, int]], *, requesters: int,
                 limit: int, rng: random.Random, randomize: bool = False) -> None:
        self.capacity = dict(capacity)
        self.hosts = list(capacity)
        self.requesters = requesters
        self.limit = limit
        self.randomize = randomize
        self.rng = rng
        self.used = {rp: (0, 0, 0) for rp in self.hosts}
        self.current = {rp: self._snapshot(rp) for rp in self.hosts}
        self.consumers: dict[str, tuple[str, tuple[int, int, int]]] = {}
        self._log: deque[tuple[int, str, Snapshot]] = deque()
        self._request_index = 0
        self._requests: dict[tuple[str, tuple[int, ...]], dict[str, Any]] = {}

    def begin(self, index: int) -> None:
        """Build ``index`` starts; forget changes every later view can see."""
        self._request_index = index
        horizon = index - self.requesters
        while self._log and self._log[0][0] <= horizon:
            self._log.popleft()

    # -- the Placement protocol -------------------------------------------

    def allocation_candidates(self, request: ResourceRequest) -> Candidates:
        want = tuple(request.resources.get(rc, 0) for rc in RESOURCES)
        view = self._view()
        if self.randomize:
            chosen = self._fitting(self.rng.sample(self.hosts, min(len(self.hosts),
                                                                   2 * self.limit)), view, want)
            if len(chosen) < self.limit:  # a nearly full cloud: look at every host
                chosen = self._fitting(self.rng.sample(self.hosts, len(self.hosts)), view, want)
        else:
            chosen = self._fitting(self.hosts, view, want)
        return Candidates(
            allocation_requests=[self._allocation_request(rp, want) for rp in chosen],
            provider_summaries={rp: (view.get(rp) or self.current[rp]).summary for rp in chosen},
        )

    def claim(self, consumer_uuid: str, allocation_request: dict[str, Any], project_id: str,
              user_id: str, version: str = "1.36") -> bool:
        if consumer_uuid in self.consumers:
            raise AssertionError(f"consumer {consumer_uuid} claimed twice")
        [(rp, body)] = allocation_request["allocations"].items()
        amounts = tuple(body["resources"].get(rc, 0) for rc in RESOURCES)
        used = self.used[rp]
        total = tuple(u + a for u, a in zip(used, amounts, strict=True))
        if any(t > c for t, c in zip(total, self.capacity[rp], strict=True)):
            return False
        self._set_used(rp, total)
        self.consumers[consumer_uuid] = (rp, amounts)  # type: ignore[assignment]
        return True

    def delete_allocations(self, consumer_uuid: str) -> bool:
        held = self.consumers.pop(consumer_uuid, None)
        if held is None:
            return False
        rp, amounts = held
        self._set_used(rp, tuple(u - a for u, a in zip(self.used[rp], amounts, strict=True)))
        return True

    def get_allocations(self, consumer_uuid: str) -> ConsumerAllocations:
        held = self.consumers.get(consumer_uuid)
        if held is None:
            return ConsumerAllocations({}, None)
        rp, amounts = held
        return ConsumerAllocations({rp: dict(zip(RESOURCES, amounts, strict=True))}, 1)

    def move_allocations(self, source: str, target: str, project_id: str, user_id: str) -> None:
        raise NotImplementedError("the benchmark does not migrate")

    def providers_in_aggregate(self, aggregate_uuid: str) -> list[ProviderRef]:
        raise NotImplementedError("the benchmark gives the scheduler a static host map")

    # -- internals ----------------------------------------------------------

    def _fitting(self, order: list[str], view: dict[str, Snapshot],
                 want: tuple[int, ...]) -> list[str]:
        chosen: list[str] = []
        want_v, want_r, want_d = want
        current = self.current
        for rp in order:
            free_v, free_r, free_d = (view.get(rp) or current[rp]).free
            if free_v >= want_v and free_r >= want_r and free_d >= want_d:
                chosen.append(rp)
                if len(chosen) == self.limit:
                    break
        return chosen

    def _view(self) -> dict[str, Snapshot]:
        """Hosts changed by builds still in flight, as they were before those changes."""
        horizon = self._request_index - self.requesters
        view: dict[str, Snapshot] = {}
        for index, rp, before in reversed(self._log):
            if index <= horizon:
                break
            if index < self._request_index:
                view[rp] = before  # the earliest unseen change wins (iterating backwards)
        return view

    def _set_used(self, rp: str, used: tuple[int, ...]) -> None:
        self._log.append((self._request_index, rp, self.current[rp]))
        self.used[rp] = used  # type: ignore[assignment]
        self.current[rp] = self._snapshot(rp)

    def _snapshot(self, rp: str) -> Snapshot:
        cap, used = self.capacity[rp], self.used[rp]
        summary = {
            "resources": {rc: {"capacity": c, "used": u}
                          for rc, c, u in zip(RESOURCES, cap, used, strict=True)},
            "traits": [],
            "parent_provider_uuid": None,
            "root_provider_uuid": rp,
        }
        return Snapshot(summary, tuple(c - u for c, u in zip(cap, used, strict=True)))

    def _allocation_request(self, rp: str, want: tuple[int, ...]) -> dict[str, Any]:
        key = (rp, want)
        found = self._requests.get(key)
        if found is None:
            resources = {rc: w for rc, w in zip(RESOURCES, want, strict=True) if w}
            found = self._requests[key] = {"allocations": {rp: {"resources": resources}},
                                           "mappings": {"": [rp]}}
        return found
