"""Real Placement recorded, then diffed from the file: the same findings as live.

Marked ``live`` (``pytest -m live tests/functional/snapshot``): the session starts a real
Placement (``tests.support.real_placement``), records it over the scenarios the drift
modes touch at the versions where they show, then for a plain refcloud and for every
drift mode compares the live diff of real Placement (A) against the refcloud (B) with
the diff of the snapshot (A) against the same refcloud, finding by finding and cause by
cause. ``INTEROPCHECK_LIVE_SCENARIOS=glob,glob`` replaces the scenario list.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from refcloud import drift

from interopcheck.runner.clouds import Cloud
from tests.functional.diff.test_drift_modes import CASES
from tests.functional.snapshot.support import (
    cause_rows,
    diff,
    finding_rows,
    record_to,
    refcloud_cloud,
    snap,
)
from tests.support.real_placement import real_placement as start_real_placement

pytestmark = pytest.mark.live

SCENARIOS = tuple(os.environ.get("INTEROPCHECK_LIVE_SCENARIOS", "").split(",")) if \
    os.environ.get("INTEROPCHECK_LIVE_SCENARIOS") else \
    tuple(sorted({s for case in CASES.values() for s in case.scenarios}))
VERSIONS = ",".join(sorted({v for case in CASES.values() for v in case.microversions.split(",")},
                           key=lambda v: tuple(int(p) for p in v.split("."))))


@pytest.fixture(scope="module")
def real_placement() -> Iterator[str]:
    with start_real_placement() as url:
        yield url


def _real(url: str) -> Cloud:
    return Cloud("A", url, token="admin", timeout=60, url_option="the real Placement")


@pytest.fixture(scope="module")
def real_snapshot(real_placement: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("live-snapshot")
    return record_to(folder / "real.json.gz", _real(real_placement), SCENARIOS, VERSIONS)


@pytest.mark.parametrize("mode", ["none", *drift.DRIFTS])
def test_snapshot_of_real_placement_gives_the_live_findings(
        mode: str, real_placement: str, real_snapshot: Path) -> None:
    modes = () if mode == "none" else (mode,)
    live = diff(_real(real_placement), refcloud_cloud("B", modes), SCENARIOS, VERSIONS)
    offline = diff(snap("A", real_snapshot), refcloud_cloud("B", modes), SCENARIOS, VERSIONS)
    assert [p.line() for p in live.problems] == []
    assert [p.line() for p in offline.problems] == []
    assert finding_rows(offline) == finding_rows(live)
    assert cause_rows(offline) == cause_rows(live)
    if mode == "none":
        assert live.findings == ()
    else:
        assert live.findings
