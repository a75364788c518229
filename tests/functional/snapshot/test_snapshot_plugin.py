"""The pytest plugin takes snapshots for --interop-a / --interop-b."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.functional.snapshot.conftest import Recorded


def test_plugin_items_run_against_snapshots(pytester: pytest.Pytester,
                                            recorded: Recorded) -> None:
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--interop-a", str(recorded.plain),
        "--interop-b", str(recorded.extra_field), "--interop-microversions", "1.0,1.20",
        "-k", "provider-lifecycle or root", "--interop-report", str(pytester.path / "r"))
    result.assert_outcomes(passed=2, failed=2)
    outcomes = {r.nodeid: r.outcome for r in result.reprec.getreports("pytest_runtest_logreport")
                if r.when == "call"}
    assert {k for k, v in outcomes.items() if v == "failed"} == {
        "placement::provider-lifecycle[1.0]", "placement::provider-lifecycle[1.20]"}
    report = json.loads((pytester.path / "r" / "report.json").read_text())
    assert {f["path"].rsplit(".", 1)[-1] for f in report["findings"]} == {"description"}


def test_plugin_refuses_a_snapshot_of_another_profile_version(
        pytester: pytest.Pytester, recorded: Recorded) -> None:
    document = json.loads(gzip.decompress(recorded.plain.read_bytes()))
    document["provenance"]["profile_version"] = "0"
    old = pytester.path / "old.json"
    old.write_text(json.dumps(document))
    result = pytester.runpytest("-p", "no:cacheprovider", "--interop-a", str(old),
                                "--interop-b", str(recorded.plain))
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*profile placement version 0*record the cloud again*"])
