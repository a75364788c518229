"""Guideline items (``--interop-cloud``): tolerant mode passes on refcloud, strict does not."""

from __future__ import annotations

import json

import pytest

from tests.plugin.conftest import Refclouds

#: The probes, and two scenarios at their lowest and highest version ("sample").
CHECKS = ("-k", "probes or provider-lifecycle or (root and not adopt)")
CHECK_IDS = {"placement::guideline::discovery-and-probes",
             *(f"placement::guideline::{s}[{v}]" for s in ("root", "provider-lifecycle")
               for v in ("1.0", "1.39"))}


def test_tolerant_mode_passes_and_writes_the_guideline_report(
        pytester: pytest.Pytester, refclouds: Refclouds) -> None:
    report_dir = pytester.path / "reports"
    result = pytester.runpytest("--interop-cloud", refclouds.a, "--interop-check-mode",
                                "tolerant", *CHECKS, "--interop-report", str(report_dir), "-rA")
    result.assert_outcomes(passed=len(CHECK_IDS))
    passed = {line.split()[1] for line in result.stdout.lines if line.startswith("PASSED ")}
    assert passed == CHECK_IDS
    assert sorted(p.name for p in report_dir.iterdir()) == ["guidelines.json", "guidelines.txt"]
    data = json.loads((report_dir / "guidelines.json").read_text(encoding="utf-8"))
    assert data["modes"]["tolerant"] == {"passed": True, "failing": 0}
    assert data["versions"] == ["1.0", "1.39"]
    assert data["probes"] > 0 and data["calls"] > 0
    assert {f["origin"] for f in data["findings"]} >= {"probe", "scenario"}


def test_strict_mode_fails_with_the_rules_broken(pytester: pytest.Pytester,
                                                 refclouds: Refclouds) -> None:
    result = pytester.runpytest("--interop-cloud", refclouds.a, *CHECKS)
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] >= 2 and outcomes["failed"] + outcomes.get("passed", 0) == 5
    out = result.stdout.str()
    # Placement's known departures: negotiation errors without the version echo (MV010),
    # no Cache-Control below 1.15 (CACHE001); shown as interopcheck check prints them.
    result.stdout.fnmatch_lines([
        "*_ placement guideline: discovery-and-probes _*",
        "discovery-and-probes: * findings fail in strict mode: *",
        "interopcheck check http://127.0.0.1:* --profile placement",
        "strict: FAILED: * errors, * warnings (* count with --fail-on error)",
    ])
    assert "error   MV010    Every response echoes the executed version" in out
    assert "provider-lifecycle @ 1.0: " in out and "CACHE001" in out
    assert "strict only; tolerant mode accepts it" in out
    assert "Traceback" not in out
