"""Simulated compute services with per-host fault injection.

A build on a host fails with the host's fault probability (or always, for
``Fault(always=True)``); nothing else about the guest is simulated.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass


class BuildFailed(Exception):
    """A compute could not build an instance (the conductor reschedules)."""


@dataclass(frozen=True)
class Fault:
    probability: float = 0.0
    always: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("fault probability must be within [0, 1]")

    def as_dict(self) -> dict[str, float | bool]:
        return {"probability": self.probability, "always": self.always}


NO_FAULT = Fault()


@dataclass
class HostCounters:
    builds: int = 0
    failures: int = 0


class ComputeFleet:
    """The simulated compute services, by host name (created on first use)."""

    def __init__(self, rng: random.Random | None = None, default: Fault = NO_FAULT) -> None:
        self._rng = rng or random.Random()
        self._default = default
        self._faults: dict[str, Fault] = {}
        self._counters: dict[str, HostCounters] = {}
        self._lock = threading.Lock()

    def set_fault(self, host: str, fault: Fault | None) -> None:
        with self._lock:
            if fault is None or fault == NO_FAULT:
                self._faults.pop(host, None)
            else:
                self._faults[host] = fault

    def fault(self, host: str) -> Fault:
        return self._faults.get(host, self._default)

    def counters(self, host: str) -> HostCounters:
        with self._lock:
            return self._counters.setdefault(host, HostCounters())

    def build(self, host: str, instance_uuid: str) -> None:
        """Build ``instance_uuid`` on ``host``; raises BuildFailed per the host's fault."""
        fault = self.fault(host)
        with self._lock:
            counters = self._counters.setdefault(host, HostCounters())
            counters.builds += 1
            fails = fault.always or (fault.probability > 0
                                     and self._rng.random() < fault.probability)
            if fails:
                counters.failures += 1
        if fails:
            reason = "always fails" if fault.always else f"p={fault.probability:g}"
            raise BuildFailed(f"Simulated build failure of instance {instance_uuid} on host "
                              f"{host} ({reason}).")
