"""A Nova-style scheduler that talks to Placement over HTTP only.

``Scheduler.select_destinations(spec, instance_uuids, num_alternates)``
filters and weighs the hosts Placement offers, claims the first one that can
be claimed for each instance (walking on past any whose claim fails), releases
every claim of a request that cannot be completed, and returns per instance
``[selected, *alternates]`` :class:`Selection` objects whose alternates come
from the selected host's cell.

Modules: ``interface`` (what the scheduler needs from Placement), ``client``
(that, over HTTP), ``request_spec`` (what is asked for), ``host_state``,
``filters``, ``weighers``, ``cells`` (host -> cell), ``selection``,
``config`` and ``scheduler`` (the claim walk and alternates).
"""

from __future__ import annotations

from refcloud.scheduler.config import SchedulerConfig
from refcloud.scheduler.interface import AllocationUpdateFailed, NoValidHost, PlacementError
from refcloud.scheduler.request_spec import Flavor, RequestSpec
from refcloud.scheduler.scheduler import Scheduler
from refcloud.scheduler.selection import Selection

__all__ = [
    "AllocationUpdateFailed",
    "Flavor",
    "NoValidHost",
    "PlacementError",
    "RequestSpec",
    "Scheduler",
    "SchedulerConfig",
    "Selection",
]
