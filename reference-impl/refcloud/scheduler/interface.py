"""What the scheduler and conductor need from Placement, as a Protocol.

The production implementation is :class:`refcloud.scheduler.client.PlacementClient`
(HTTP). Anything else implementing this (the benchmark's in-memory model)
must keep the same semantics: ``claim`` is all-or-nothing and answers False
when the providers lack capacity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from refcloud.scheduler.request_spec import ResourceRequest

#: Placement microversion of allocation candidates and claims (as Nova).
ALLOCATION_REQUEST_VERSION = "1.36"


class PlacementError(Exception):
    """Placement answered something the caller cannot work with."""


class AllocationUpdateFailed(PlacementError):
    """A consumer generation conflict: someone else wrote this consumer."""


class NoValidHost(Exception):
    """No host can take (all of) the request."""

    def __init__(self, reason: str = "There are not enough hosts available.") -> None:
        super().__init__(f"No valid host was found. {reason}")
        self.reason = reason


@dataclass
class Candidates:
    """A ``GET /allocation_candidates`` answer (wire shape at 1.36)."""

    allocation_requests: list[dict[str, Any]] = field(default_factory=list)
    provider_summaries: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderRef:
    """A provider as listed by ``GET /resource_providers``."""

    uuid: str
    name: str
    root_provider_uuid: str


@dataclass(frozen=True)
class ConsumerAllocations:
    """``GET /allocations/{consumer}``: ``{rp: {resource: amount}}`` and the generation."""

    allocations: dict[str, dict[str, int]]
    consumer_generation: int | None
    project_id: str | None = None
    user_id: str | None = None


class Placement(Protocol):
    """The Placement operations the scheduler and conductor use."""

    def allocation_candidates(self, request: ResourceRequest) -> Candidates:
        """Candidates for ``request``; raises PlacementError on a non-200."""
        ...

    def claim(
        self,
        consumer_uuid: str,
        allocation_request: dict[str, Any],
        project_id: str,
        user_id: str,
        version: str = ALLOCATION_REQUEST_VERSION,
    ) -> bool:
        """Write a new consumer's allocations; False when they do not fit.

        Raises AllocationUpdateFailed on a consumer generation conflict.
        """
        ...

    def delete_allocations(self, consumer_uuid: str) -> bool:
        """Remove all of a consumer's allocations; False if it had none."""
        ...

    def get_allocations(self, consumer_uuid: str) -> ConsumerAllocations:
        """A consumer's allocations (empty when it has none)."""
        ...

    def move_allocations(self, source: str, target: str, project_id: str, user_id: str) -> None:
        """Atomically give ``target`` the allocations of ``source`` (replacing
        target's) and leave ``source`` with none."""
        ...

    def providers_in_aggregate(self, aggregate_uuid: str) -> list[ProviderRef]:
        """Providers that are members of an aggregate."""
        ...
