"""benchmarks/scheduler_retries.py at toy sizes: its model Placement and its claims."""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest
from refcloud.scheduler.request_spec import ResourceRequest

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


def _load(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _load("scheduler_retries")


@pytest.fixture(scope="module")
def model() -> ModuleType:
    return _load("scheduler_model")


def small(bench: ModuleType, design: str, p: float, alternates: int, **changes: object):
    base = bench.Scenario(design, p, alternates, hosts=40, cells=4, slots=4, builds=120,
                          requesters=16, limit=40)
    return dataclasses.replace(base, **changes)


def test_model_refuses_claims_beyond_capacity_and_lags_views(model: ModuleType) -> None:
    placement = model.ModelPlacement({"h": (2, 2048, 20)}, requesters=3, limit=10,
                                     rng=random.Random(0))
    want = ResourceRequest({"VCPU": 1, "MEMORY_MB": 1024, "DISK_GB": 10})
    request = {"allocations": {"h": {"resources": {"VCPU": 1, "MEMORY_MB": 1024,
                                                   "DISK_GB": 10}}}}
    placement.begin(0)
    assert placement.claim("c0", request, "p", "u")
    placement.begin(1)
    assert placement.claim("c1", request, "p", "u")
    assert not placement.claim("c2", request, "p", "u")  # full
    placement.begin(2)  # builds 0 and 1 are still "in flight": the view misses both
    assert placement.allocation_candidates(want).provider_summaries["h"]["resources"][
        "VCPU"]["used"] == 0
    placement.begin(4)  # now both are visible: the host is full, no candidates
    assert placement.allocation_candidates(want).allocation_requests == []
    assert placement.delete_allocations("c0") and not placement.delete_allocations("c0")


def test_claiming_in_the_scheduler_leaves_no_error_when_everything_fits(
        bench: ModuleType) -> None:
    outcome = bench.run(small(bench, "scheduler", 0.0, 0))
    assert outcome.builds == 120 and outcome.errors == 0
    assert outcome.scheduler_conflicts > 0  # the requesters did collide ...
    assert outcome.expected == 0 and outcome.within_noise  # ... at no cost


def test_claiming_in_the_conductor_loses_builds_to_the_same_collisions(
        bench: ModuleType) -> None:
    outcome = bench.run(small(bench, "conductor", 0.0, 0))
    assert outcome.errors > 0
    assert outcome.errors == outcome.conductor_conflicts
    assert outcome.within_noise


def test_failures_are_retried_on_alternates_at_the_analytical_rate(bench: ModuleType) -> None:
    outcome = bench.run(small(bench, "scheduler", 0.3, 1, builds=400, hosts=100, slots=8))
    assert outcome.expected == pytest.approx(0.09, abs=0.02)  # ~ p^2
    assert outcome.within_noise
    no_retry = bench.run(small(bench, "scheduler", 0.3, 0, builds=400, hosts=100, slots=8))
    assert no_retry.expected == pytest.approx(0.3) and no_retry.within_noise


def test_the_report_puts_both_designs_side_by_side(bench: ModuleType) -> None:
    outcomes = [bench.run(small(bench, d, 0.0, 0, builds=40)) for d in bench.DESIGNS]
    args = argparse.Namespace(p=[0.0], alternates=[0], workers=1)
    text = bench.report(outcomes, args, 1.0)
    assert "claim in the scheduler" in text and "claim in the conductor" in text
    row = next(line for line in text.splitlines() if line.startswith(" 0.00     0"))
    assert row.count(" ok ") + row.count(" !! ") == 2


def test_the_same_simulation_runs_against_refcloud_over_http(bench: ModuleType) -> None:
    sc = small(bench, "scheduler", 0.0, 1, placement="refcloud", hosts=8, cells=2, slots=4,
               builds=24, requesters=4, limit=8)
    outcome = bench.run(sc)
    assert outcome.builds == 24 and outcome.errors == 0
