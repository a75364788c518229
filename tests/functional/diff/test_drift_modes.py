"""Every refcloud drift mode gives exactly its expected findings and causes, and nothing else.

Each test runs the diff engine (its Python API) over the placement profile between two
in-process refclouds (httpx.WSGITransport): A plain, B with one drift mode. To stay fast
each runs the scenarios that exercise the drift at a few microversions, on both sides of
where the drift starts to show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx
import pytest
import refcloud
from refcloud import drift

from interopcheck.causes import group_causes
from interopcheck.diff import DiffOptions, run_diff
from interopcheck.findings import Finding
from interopcheck.microversion import parse
from interopcheck.profile.loader import load_profile
from interopcheck.report import Report
from interopcheck.runner.clouds import Cloud
from interopcheck.runner.run import Clouds

Key = tuple[str, str, str, str, str]  # scenario, call, microversion, kind, path


@dataclass(frozen=True)
class Case:
    scenarios: tuple[str, ...]
    microversions: str
    expected: frozenset[Key]


def _each(scenario: str, calls: dict[str, str], versions: tuple[str, ...], kind: str,
          leaf: str) -> set[Key]:
    """``kind`` at ``<base>.<leaf>`` (or the header ``leaf``) of every call at every version."""
    out: set[Key] = set()
    for call, base in calls.items():
        for v in versions:
            path = f"{base}.{leaf}" if base else leaf
            out.add((scenario, call, v, kind, path))
    return out


LIFECYCLE = "provider-lifecycle"
#: provider-lifecycle calls answering with providers: where the provider objects are.
PROVIDER_BODIES = {
    "show": "$",
    "list by uuid": "$.resource_providers[*]",
    "list by name": "$.resource_providers[*]",
    "rename": "$",
    "rename to the same name": "$",
}


def _provider_field(leaf: str) -> frozenset[Key]:
    # 1.0: POST answers 201 without a body; 1.20: 200 with the provider.
    return frozenset(
        _each(LIFECYCLE, PROVIDER_BODIES, ("1.0", "1.20"), "body-shape", leaf)
        | {(LIFECYCLE, "create", "1.20", "body-shape", f"$.{leaf}")}
    )


CASES: dict[str, Case] = {
    "extra-url": Case(("aggregates",), "1.0,1.1", frozenset({
        ("aggregates", "list none", "1.0", "status", "status"),
        ("aggregates", "list none", "1.0", "body-shape", "$.aggregates"),
        ("aggregates", "list none", "1.0", "body-shape", "$.errors"),
        ("aggregates", "list", "1.0", "status", "status"),
        ("aggregates", "list", "1.0", "body-shape", "$.aggregates"),
        ("aggregates", "list", "1.0", "body-shape", "$.errors"),
        # the route exists on B, so an unknown provider is B's "no such provider" 404
        ("aggregates", "list of an unknown provider", "1.0", "header-missing", "vary"),
        ("aggregates", "list of an unknown provider", "1.0", "error-detail",
         "$.errors[0].detail"),
    })),
    "extra-field": Case((LIFECYCLE,), "1.0,1.20", _provider_field("description")),
    "missing-field": Case((LIFECYCLE,), "1.0,1.20", _provider_field("links")),
    "type-change": Case((LIFECYCLE,), "1.0,1.20", _provider_field("generation")),
    "status-code": Case(("resource-classes",), "1.2,1.7", frozenset({
        ("resource-classes", "create", "1.2", "status", "status"),
        ("resource-classes", "create", "1.7", "status", "status"),
    })),
    "extra-header": Case(("root",), "1.0,1.39", frozenset({
        ("root", "GET /", "1.0", "header-extra", "x-content-type-options"),
        ("root", "GET /", "1.39", "header-extra", "x-content-type-options"),
        ("root", "GET / without a token", "1.0", "header-extra", "x-content-type-options"),
        ("root", "GET / without a token", "1.39", "header-extra", "x-content-type-options"),
        ("root", "GET / without a version", "none", "header-extra", "x-content-type-options"),
    })),
    # Cache-Control comes with Last-Modified from 1.15: nothing to miss at 1.14.
    "missing-header": Case((LIFECYCLE,), "1.14,1.15", frozenset(
        _each(LIFECYCLE, dict.fromkeys([*PROVIDER_BODIES, "list matching nothing"], ""),
              ("1.15",), "header-missing", "cache-control")
    )),
    "wrapped-resource": Case((LIFECYCLE,), "1.0", frozenset(
        (LIFECYCLE, "show", "1.0", "body-shape", path)
        for path in ("$.resource_provider", "$.uuid", "$.name", "$.generation", "$.links")
    )),
    # Error codes are sent from 1.23: at 1.22 both clouds send none.
    "error-code": Case(("provider-create-variants",), "1.22,1.23", frozenset(
        ("provider-create-variants", call, "1.23", "error-code", "$.errors[0].code")
        for call in ("duplicate name", "duplicate uuid", "rename to a taken name")
    )),
}


CauseKey = tuple[str, str, str]  # kind, path, microversions ("1.0-1.13, 1.20")
ALL = "1.0-1.39"

#: The causes each drift gives at the case's microversions (the runs above).
CAUSES: dict[str, frozenset[CauseKey]] = {
    "extra-url": frozenset({
        ("status", "status", "1.0"), ("body-shape", "$.aggregates", "1.0"),
        ("body-shape", "$.errors", "1.0"), ("header-missing", "vary", "1.0"),
        ("error-detail", "$.errors[0].detail", "1.0"),
    }),
    "extra-field": frozenset({("body-shape", "$.description", "1.0, 1.20"),
                              ("body-shape", "$.resource_providers[*].description", "1.0, 1.20")}),
    "missing-field": frozenset({("body-shape", "$.links", "1.0, 1.20"),
                                ("body-shape", "$.resource_providers[*].links", "1.0, 1.20")}),
    "type-change": frozenset({("body-shape", "$.generation", "1.0, 1.20"),
                              ("body-shape", "$.resource_providers[*].generation", "1.0, 1.20")}),
    "status-code": frozenset({("status", "status", "1.2, 1.7")}),
    "extra-header": frozenset({("header-extra", "x-content-type-options", "1.0, 1.39")}),
    "missing-header": frozenset({("header-missing", "cache-control", "1.15")}),
    "wrapped-resource": frozenset(("body-shape", p, "1.0") for p in (
        "$.resource_provider", "$.uuid", "$.name", "$.generation", "$.links")),
    "error-code": frozenset({("error-code", "$.errors[0].code", "1.23")}),
}

#: The causes each drift gives over every microversion its scenarios run at (the ``live``
#: test against real Placement in test_drift_live.py pins these).
ALL_VERSIONS_CAUSES: dict[str, frozenset[CauseKey]] = {
    "extra-url": CAUSES["extra-url"],  # the route exists from 1.1 on both clouds
    "extra-field": frozenset({("body-shape", "$.description", ALL),
                              ("body-shape", "$.resource_providers[*].description", ALL)}),
    "missing-field": frozenset({("body-shape", "$.links", ALL),
                                ("body-shape", "$.resource_providers[*].links", ALL)}),
    "type-change": frozenset({("body-shape", "$.generation", ALL),
                              ("body-shape", "$.resource_providers[*].generation", ALL)}),
    # the resource-classes scenario runs where its behaviour changes
    "status-code": frozenset({("status", "status", "1.2, 1.6-1.7, 1.14-1.15, 1.22-1.23, 1.39")}),
    "extra-header": frozenset({("header-extra", "x-content-type-options", ALL)}),
    "missing-header": frozenset({("header-missing", "cache-control", "1.15-1.39")}),
    "wrapped-resource": frozenset({
        *(("body-shape", p, ALL) for p in ("$.uuid", "$.name", "$.generation", "$.links")),
        ("body-shape", "$.parent_provider_uuid", "1.14-1.39"),
        ("body-shape", "$.root_provider_uuid", "1.14-1.39"),
        # the wrapped provider has more fields from 1.14: two pairs of shapes, two causes
        ("body-shape", "$.resource_provider", "1.0-1.13"),
        ("body-shape", "$.resource_provider", "1.14-1.39"),
    }),
    "error-code": frozenset({("error-code", "$.errors[0].code", "1.23, 1.39")}),
}
#: Drifts an HTTP layer could make: deployment causes, which do not fail the run.
DEPLOYMENT_DRIFTS = frozenset({"extra-header"})


def cause_keys(findings: Iterable[Finding]) -> list[CauseKey]:
    return [(c.kind, c.path, c.microversions) for c in group_causes(findings)]


def _cloud(name: str, modes: tuple[str, ...]) -> Cloud:
    app = refcloud.make_app(refcloud.Config(drift=modes))
    return Cloud(name=name, base_url=f"http://{name.lower()}.example", token="admin",
                 transport=httpx.WSGITransport(app=app))


def _diff_one(modes: tuple[str, ...], scenarios: tuple[str, ...], version: str) -> Report:
    clouds = Clouds(_cloud("A", ()), _cloud("B", modes))
    try:
        return run_diff(load_profile("placement"), clouds,
                        DiffOptions(microversions=version, scenarios=scenarios))
    finally:
        for cloud in clouds.all():
            cloud.close()


def _diff(modes: tuple[str, ...], case: Case) -> list[Report]:
    """One diff per microversion, each between two fresh clouds.

    Separate runs keep what one version's run leaves in a cloud from meeting another
    version's run (jobs run concurrently, in no fixed order).
    """
    return [_diff_one(modes, case.scenarios, v) for v in case.microversions.split(",")]


def _keys(reports: list[Report]) -> list[Key]:
    return [(f.scenario, f.call, f.microversion, f.kind, f.path)
            for r in reports for f in r.findings]


def test_every_drift_mode_has_a_case() -> None:
    assert set(CASES) == set(drift.DRIFTS) == set(CAUSES) == set(ALL_VERSIONS_CAUSES)


def test_the_profile_runs_every_case_at_its_versions() -> None:
    """A clear failure when profiles/placement.yaml moves a scenario away from a case."""
    scenarios = {s.name: s for s in load_profile("placement").scenarios}
    for mode, case in CASES.items():
        for name in case.scenarios:
            assert name in scenarios, f"{mode}: scenario {name} left the profile"
            for v in case.microversions.split(","):
                assert scenarios[name].applies(parse(v)), f"{mode}: {name} no longer runs at {v}"


@pytest.mark.parametrize("mode", list(CASES))
def test_drift_gives_exactly_its_findings(mode: str) -> None:
    case = CASES[mode]
    reports = _diff((mode,), case)
    assert [p for r in reports for p in r.problems] == []
    found = _keys(reports)
    assert set(found) == set(case.expected)
    assert len(found) == len(case.expected)  # no duplicates either
    causes = cause_keys(f for r in reports for f in r.findings)
    assert sorted(causes) == sorted(CAUSES[mode])
    layers = {c.layer for c in group_causes(f for r in reports for f in r.findings)}
    if mode in DEPLOYMENT_DRIFTS:
        assert layers == {"deployment"}
        assert max(r.exit_code for r in reports) == 0
    else:
        assert "api" in layers
        assert max(r.exit_code for r in reports) == 1


def test_without_drift_the_same_runs_find_nothing() -> None:
    versions: dict[tuple[str, ...], set[str]] = {}
    for case in CASES.values():
        versions.setdefault(case.scenarios, set()).update(case.microversions.split(","))
    for scenarios, chosen in versions.items():
        for report in _diff((), Case(scenarios, ",".join(sorted(chosen)), frozenset())):
            assert report.problems == ()
            assert report.findings == (), scenarios
            assert report.exit_code == 0


@pytest.mark.parametrize(("mode", "call", "a", "b"), [
    ("type-change", "show", "int", "str"),
    ("status-code", "create", "201", "200"),
    ("extra-field", "show", "(absent)", "str"),
    ("error-code", "duplicate name", "placement.duplicate_name", "placement.undefined_code"),
])
def test_drift_findings_carry_both_sides(mode: str, call: str, a: str, b: str) -> None:
    case = CASES[mode]
    scenario = case.scenarios[0]
    version = case.microversions.split(",")[-1]
    report = _diff_one((mode,), case.scenarios, version)
    finding = next(f for f in report.findings if f.call == call)
    assert (finding.scenario, finding.microversion) == (scenario, version)
    assert (finding.a, finding.b) == (a, b)
    assert finding.kind in ("status", "body-shape", "error-code")
