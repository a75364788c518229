"""Diff items against loopback refclouds: ids, passes, drift failures, JUnit, reports, xdist."""

from __future__ import annotations

import io
import json

import pytest

from interopcheck import cli
from tests.plugin.conftest import (
    DRIFTED_IDS,
    FAST,
    SUBSET,
    SUBSET_IDS,
    Refclouds,
    outcomes_by_id,
)


def _failed_ids(result: pytest.RunResult) -> set[str]:
    return {line.split()[1] for line in result.stdout.lines if line.startswith("FAILED ")}


def test_collect_only_gives_one_item_per_scenario_and_version(
        pytester: pytest.Pytester, refclouds: Refclouds) -> None:
    result = pytester.runpytest("--interop-a", refclouds.a, "--interop-b", refclouds.b,
                                "--interop-microversions", "1.0,1.20,latest-common",
                                "--collect-only", "-q")
    ids = [line for line in result.stdout.lines if line.startswith("placement::")]
    assert ids[:3] == ["placement::root[1.0]", "placement::root[1.20]", "placement::root[1.39]"]
    assert "placement::provider-lifecycle[1.20]" in ids
    assert "placement::microversion-negotiation[1.39]" in ids  # its only version
    assert all(i.endswith(("[1.0]", "[1.20]", "[1.39]")) for i in ids)
    assert len(ids) == len(set(ids)) > 30


def test_identical_refclouds_pass(pytester: pytest.Pytester, refclouds: Refclouds) -> None:
    result = pytester.runpytest("--interop-a", refclouds.a, "--interop-b", refclouds.b,
                                *SUBSET, "-rA")
    result.assert_outcomes(passed=len(SUBSET_IDS))
    passed = {line.split()[1] for line in result.stdout.lines if line.startswith("PASSED ")}
    assert passed == SUBSET_IDS


def test_drift_fails_exactly_the_drifted_items_with_readable_findings(
        pytester: pytest.Pytester, refclouds: Refclouds) -> None:
    report_dir = pytester.path / "reports"
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest("--interop-a", refclouds.a, "--interop-b", refclouds.drift,
                                *SUBSET, "--interop-report", str(report_dir),
                                f"--junitxml={junit}")
    result.assert_outcomes(passed=3, failed=3)
    assert _failed_ids(result) == DRIFTED_IDS
    out = result.stdout.str()
    # The failure reads like interopcheck diff's terminal report, not an assertion dump.
    # It leads with the causes, each with a few of its findings as examples.
    result.stdout.fnmatch_lines([
        "*_ placement: provider-lifecycle at 1.20 _*",
        "provider-lifecycle @ 1.20: 2 causes (6 findings): body-shape at $.description in "
        "4 calls: A sent (absent) | B sent str (+1 more causes)",
        "  A: A (http://127.0.0.1:*, microversions 1.0*1.39)",
        "2 causes:",
        "1. body-shape at $.description: A sent (absent) | B sent str",
        "     breaks clients: no · needs version bump: yes · INTEROP007 error · api",
        "     body property $.description is only on B",
        "     4 findings in 4 calls of 1 scenario at microversions 1.20",
        "       - provider-lifecycle / create: POST /resource_providers @ 1.20",
        "       ... and 1 more",
        "2. body-shape at $.resource_providers[*].description: A sent (absent) | B sent str",
    ])
    assert "provider-lifecycle / list by uuid: GET /resource_providers?uuid=$uuid(rp) @ 1.0" \
        in out
    assert "Traceback" not in out and "AssertionError" not in out and "assert " not in out
    # The short summary carries the headline (cut to the terminal's width).
    assert any(line.startswith("FAILED placement::provider-lifecycle[1.0] - "
                               "provider-lifecycle @ 1.0") for line in result.stdout.lines)

    # JUnit XML: one testcase per item, the three drifted ones failed with the findings.
    outcomes = outcomes_by_id(junit)
    assert outcomes == {i: ("failed" if i in DRIFTED_IDS else "passed") for i in SUBSET_IDS}
    text = junit.read_text(encoding="utf-8")
    assert 'failures="3"' in text and 'tests="6"' in text and 'errors="0"' in text
    assert ('message="provider-lifecycle @ 1.39: 2 causes (6 findings): body-shape at '
            "$.description in 4 calls") in text
    assert "breaks clients: no · needs version bump: yes · INTEROP007 error" in text

    # The reports interopcheck diff --report-dir writes, through the same renderers.
    names = sorted(p.name for p in report_dir.iterdir())
    assert names == ["report.html", "report.json", "report.md", "report.txt", "report.xml"]
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    assert report["microversions"] == ["1.0", "1.20", "1.39"]
    assert report["summary"]["findings"] == 17  # 5 at 1.0 (no create body), 6 at 1.20, 6 at 1.39
    assert {f["path"].rsplit(".", 1)[-1] for f in report["findings"]} == {"description"}
    assert {c["scenario"] for c in report["calls"]} == {"root", "provider-lifecycle"}
    assert "extra-field" not in (report_dir / "report.md").read_text(encoding="utf-8")
    result.stdout.fnmatch_lines(["*- interopcheck -*",
                                 "diff: 17 findings (0 break existing clients, 17 need a "
                                 "version bump) in 37 calls at 3 microversions",
                                 "reports: *report.txt, *report.json, *report.md, *report.html,"
                                 " *report.xml"])

    # Node ids are those of parametrized tests: --lf reruns exactly the drifted items.
    again = pytester.runpytest("--interop-a", refclouds.a, "--interop-b", refclouds.drift,
                               *SUBSET, "--lf")
    assert "passed" not in again.parseoutcomes()
    assert _failed_ids(again) == DRIFTED_IDS
    again.stdout.fnmatch_lines(["run-last-failure: rerun previous 3 failures"])


def _keys(report: dict) -> list[tuple[str, ...]]:
    return sorted((f["scenario"], f["call"], f["microversion"], f["kind"], f["path"])
                  for f in report["findings"])


def test_xdist_gives_the_same_outcomes_and_one_merged_report(
        pytester: pytest.Pytester, refclouds: Refclouds) -> None:
    serial_dir, xdist_dir = pytester.path / "serial", pytester.path / "xdist"
    common = ("--interop-a", refclouds.a, "--interop-b", refclouds.drift, *SUBSET)
    serial = pytester.runpytest(*common, "--interop-report", str(serial_dir))
    junit = pytester.path / "xdist.xml"
    xdist = pytester.runpytest_subprocess(*FAST, "-n", "2", *common, "--interop-report",
                                          str(xdist_dir), f"--junitxml={junit}")
    xdist.assert_outcomes(passed=3, failed=3)
    assert _failed_ids(xdist) == _failed_ids(serial) == DRIFTED_IDS
    assert "2 workers [6 items]" in xdist.stdout.str()
    outcomes = outcomes_by_id(junit)
    assert {i for i, o in outcomes.items() if o == "failed"} == DRIFTED_IDS
    assert set(outcomes) == SUBSET_IDS

    # One report, merged from both workers' parts (not one worker's, not clobbered).
    merged = json.loads((xdist_dir / "report.json").read_text(encoding="utf-8"))
    alone = json.loads((serial_dir / "report.json").read_text(encoding="utf-8"))
    assert _keys(merged) == _keys(alone)
    assert merged["summary"] == alone["summary"]
    assert merged["microversions"] == ["1.0", "1.20", "1.39"]
    assert [(c["scenario"], c["call"], c["microversion"]) for c in merged["calls"]] == \
        [(c["scenario"], c["call"], c["microversion"]) for c in alone["calls"]]
    assert sorted(p.name for p in xdist_dir.iterdir()) == sorted(
        p.name for p in serial_dir.iterdir())
    assert xdist.stdout.str().count("reports: ") == 1


def test_baseline_accepts_known_differences(pytester: pytest.Pytester,
                                            refclouds: Refclouds) -> None:
    baseline = pytester.path / "baseline.json"
    code = cli.main(["diff", refclouds.a, refclouds.drift, "--scenario", "provider-lifecycle",
                     "--microversions", "1.20", "--write-baseline", str(baseline), "--quiet"],
                    stdout=io.StringIO())
    assert code == 1
    result = pytester.runpytest("--interop-a", refclouds.a, "--interop-b", refclouds.drift,
                                *SUBSET, "--interop-baseline", str(baseline))
    # 1.20 is accepted; the baseline says nothing about 1.0 and 1.39.
    result.assert_outcomes(passed=4, failed=2)
    assert _failed_ids(result) == DRIFTED_IDS - {"placement::provider-lifecycle[1.20]"}


def test_an_unreachable_cloud_is_one_clear_collection_error(
        pytester: pytest.Pytester, refclouds: Refclouds, closed_port_url: str) -> None:
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest("--interop-a", refclouds.a, "--interop-b", closed_port_url,
                                f"--junitxml={junit}")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR collecting placement*",
        f"interopcheck: cannot discover the versions of cloud B ({closed_port_url}):",
        f"  B: version discovery (GET /): cannot connect to {closed_port_url}: * (is the "
        "service running there? check --interop-b)",
        "*Interrupted: 1 error during collection*",
    ])
    assert "Traceback" not in result.stdout.str()
    assert 'errors="1"' in junit.read_text(encoding="utf-8")


def test_markers_and_k_select_items(pytester: pytest.Pytester, refclouds: Refclouds) -> None:
    both = ("--interop-a", refclouds.a, "--interop-b", refclouds.b, "--interop-cloud",
            refclouds.a, "--interop-microversions", "1.0,latest-common", "--collect-only", "-q")
    diff_only = pytester.runpytest(*both, "-m", "interop_diff", "-k", "root")
    ids = [line for line in diff_only.stdout.lines if line.startswith("placement::")]
    assert ids == ["placement::root[1.0]", "placement::root[1.39]"]
    checks = pytester.runpytest(*both, "-m", "interop_guideline", "-k", "probes or root")
    ids = [line for line in checks.stdout.lines if line.startswith("placement::")]
    assert ids == ["placement::guideline::discovery-and-probes",
                   "placement::guideline::root[1.0]", "placement::guideline::root[1.39]"]


def test_tokens_are_not_written(pytester: pytest.Pytester, refclouds: Refclouds,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTEROPCHECK_TOKEN_B", "admin")
    secret = "s3cr3t-t0ken-value"
    report_dir = pytester.path / "reports"
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest("--interop-a", refclouds.a, "--interop-b", refclouds.drift,
                                "--interop-token-a", secret, "--interop-microversions", "1.20",
                                "-k", "provider-lifecycle", "--interop-report", str(report_dir),
                                f"--junitxml={junit}")
    # refcloud's noauth2 takes any token as a user without roles: A answers 403 everywhere.
    result.assert_outcomes(failed=1)
    for path in [junit, *report_dir.iterdir()]:
        assert secret not in path.read_text(encoding="utf-8"), path
    assert secret not in result.stdout.str()
