"""A snapshot stands where its cloud does: the same findings, and the same causes.

For every refcloud drift mode (the cases of ``tests/functional/diff/test_drift_modes.py``),
at the case's microversion where the drift shows most: the live diff of a plain refcloud
(A) against a drifted one (B) is compared finding by finding and cause by cause with the
diff of A against a snapshot of B, of two snapshots and (some modes) of a snapshot of A
against B. Each run uses fresh in-process clouds, as the drift tests do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.functional.diff.test_drift_modes import CASES, Case
from tests.functional.snapshot.support import (
    cause_rows,
    diff,
    finding_rows,
    record_to,
    refcloud_cloud,
    snap,
)


def _versions(case: Case) -> list[str]:
    """The case's microversion with the most expected findings (one run per mode)."""
    versions = case.microversions.split(",")
    return [max(versions, key=lambda v: sum(k[2] == v for k in case.expected))]


#: Modes whose case also runs ``diff SNAPSHOT URL`` (the recorded side as A).
SNAPSHOT_AS_A = ("extra-url", "type-change", "error-code", "extra-header")


@pytest.fixture(scope="module")
def plain_snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[object, ...], Path]:
    """Snapshots of a plain refcloud, per (scenarios, version), recorded once per module."""
    folder = tmp_path_factory.mktemp("plain")
    cache: dict[tuple[object, ...], Path] = {}
    for case in CASES.values():
        for version in _versions(case):
            key = (case.scenarios, version)
            if key not in cache:
                cache[key] = record_to(folder / f"a-{len(cache)}.json", refcloud_cloud("A"),
                                       case.scenarios, version)
    return cache


@pytest.mark.parametrize("mode", list(CASES))
def test_snapshot_diff_gives_the_live_findings(
        mode: str, tmp_path: Path, plain_snapshots: dict[tuple[object, ...], Path]) -> None:
    case = CASES[mode]
    found: list[tuple[object, ...]] = []
    for version in _versions(case):
        live = diff(refcloud_cloud("A"), refcloud_cloud("B", (mode,)), case.scenarios, version)
        snap_b = record_to(tmp_path / f"b-{version}.json.gz", refcloud_cloud("B", (mode,)),
                           case.scenarios, version)
        snap_a = plain_snapshots[(case.scenarios, version)]
        recorded = {
            "URL SNAPSHOT": diff(refcloud_cloud("A"), snap("B", snap_b), case.scenarios,
                                 version),
            "SNAPSHOT SNAPSHOT": diff(snap("A", snap_a), snap("B", snap_b), case.scenarios,
                                      version),
        }
        if mode in SNAPSHOT_AS_A:
            recorded["SNAPSHOT URL"] = diff(snap("A", snap_a), refcloud_cloud("B", (mode,)),
                                            case.scenarios, version)
        assert live.problems == ()
        for how, report in recorded.items():
            assert report.problems == (), how
            assert finding_rows(report) == finding_rows(live), how
            assert cause_rows(report) == cause_rows(live), how
            assert report.exit_code == live.exit_code, how
        found += [(f.scenario, f.call, f.microversion, f.kind, f.path) for f in live.findings]
    assert found and set(found) <= set(case.expected)


def test_without_drift_a_snapshot_diff_finds_nothing(tmp_path: Path) -> None:
    scenarios = ("root", "provider-lifecycle", "provider-create-variants")
    path = record_to(tmp_path / "a.json.gz", refcloud_cloud("A"), scenarios, "1.0,1.20,1.39")
    report = diff(snap("A", path), refcloud_cloud("B"), scenarios, "1.0,1.20,1.39")
    assert report.problems == ()
    assert report.findings == ()
    assert report.exit_code == 0
    assert len(report.calls) > 30
    assert report.cloud_a.url == f"snapshot:{path}"
