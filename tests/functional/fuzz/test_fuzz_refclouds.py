"""``interopcheck fuzz`` over refcloud's own document, against in-process refclouds.

Default runs are small (a few generated calls per operation, phase and version). The
``fuzz_full`` runs (``pytest -m fuzz_full tests/functional/fuzz``) generate >= 200 calls
per operation at the lowest and the highest microversion and fuzz each drift mode on its
own.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from refcloud.drift import DRIFTS

from interopcheck.cli import main
from interopcheck.fuzz.view import operations
from interopcheck.microversion import parse
from tests.functional.fuzz.conftest import SPEC, refcloud_transport

Cause = dict[str, Any]


def _in(cause: Cause, scenario: str) -> bool:
    return any(s == f"fuzz {scenario}" for s in cause["scenarios"])


#: How each drift mode shows up among the causes fuzz reports (no profile involved).
SIGNATURES: dict[str, Callable[[Cause], bool]] = {
    "extra-url": lambda c: _in(c, "GET /resource_providers/{uuid}/aggregates")
    and "1.0" in c["microversions"].split(", "),
    "extra-field": lambda c: c["kind"] == "body-shape" and c["path"].endswith("description")
    and c["a"] == "(absent)",
    "missing-field": lambda c: c["kind"] == "body-shape" and c["path"].endswith("links")
    and c["b"] == "(absent)",
    "type-change": lambda c: c["path"].endswith("generation") and (c["a"], c["b"]) == ("int",
                                                                                        "str"),
    "status-code": lambda c: c["kind"] == "status" and (c["a"], c["b"]) == ("201", "200")
    and _in(c, "POST /resource_classes"),
    "extra-header": lambda c: c["kind"] == "header-extra"
    and c["path"] == "x-content-type-options",
    "missing-header": lambda c: c["kind"] == "header-missing" and c["path"] == "cache-control",
    "wrapped-resource": lambda c: c["path"] == "$.resource_provider" and c["a"] == "(absent)",
    "error-code": lambda c: c["kind"] == "error-code"
    and (c["a"], c["b"]) == ("placement.duplicate_name", "placement.undefined_code"),
}


def _found(report: dict[str, Any]) -> set[str]:
    return {name for name, match in SIGNATURES.items()
            if any(match(c) for c in report["causes"])}


def test_signatures_cover_every_drift_mode() -> None:
    assert set(SIGNATURES) == set(DRIFTS)


def test_two_identical_refclouds_do_not_differ(tmp_path: Path, fuzz_cli: Any) -> None:
    transports = {"A": refcloud_transport(tmp_path, "a"), "B": refcloud_transport(tmp_path, "b")}
    code, report, _out, err = fuzz_cli(transports, "--max-examples", "2", "--seed", "7")
    assert report["causes"] == [], report["causes"]
    assert code == 0, err
    assert report["microversions"] == ["1.0", "1.39"]
    generated = {(g["microversion"], g["operation"]) for g in report["generated"]}
    document = yaml.safe_load(SPEC.read_text())
    for op in operations(document):
        for version in ("1.0", "1.39"):
            if op.exists_at(parse(version)):
                assert (version, op.label) in generated, (version, op.label)
    phases = {c["call"] for c in report["calls"]}
    assert {"positive", "negative", "stateful", "below-minimum"} <= phases
    # every operation added after 1.0 was called just below its minimum
    assert ("1.29", "POST /reshaper") in generated
    assert ("1.0", "GET /resource_providers/{uuid}/aggregates") in generated
    assert "fuzz:" in err  # progress on stderr


def test_every_drift_mode_is_found_without_a_profile(tmp_path: Path, fuzz_cli: Any) -> None:
    transports = {"A": refcloud_transport(tmp_path, "a"),
                  "B": refcloud_transport(tmp_path, "b", tuple(DRIFTS))}
    code, report, _out, _err = fuzz_cli(transports, "--max-examples", "2", "--seed", "1")
    assert code == 1
    assert _found(report) == set(DRIFTS)
    for cause in report["causes"]:
        assert cause["curl"].startswith("curl -i -X ")
        assert "$OS_TOKEN" in cause["curl"] and "admin" not in cause["curl"]
        assert cause["profile_step"].startswith("{name: fuzz-")


def test_a_cause_reproduces_with_its_profile_step(tmp_path: Path, fuzz_cli: Any) -> None:
    """The profile step a cause carries, pasted into a profile, shows the same difference."""
    transports = {"A": refcloud_transport(tmp_path, "a"),
                  "B": refcloud_transport(tmp_path, "b", ("status-code",))}
    code, report, out, _err = fuzz_cli(transports, "--max-examples", "3", "--seed", "2",
                                       "--operation", "POST /resource_classes",
                                       "--microversions", "1.39")
    assert code == 1
    cause = next(c for c in report["causes"] if SIGNATURES["status-code"](c))
    assert cause["profile_step"] in out  # the text summary shows it too
    step = yaml.safe_load(cause["profile_step"])
    profile = {
        "profile": "repro", "service": {"type": "placement",
                                        "version_header": "OpenStack-API-Version"},
        "auth": {"header": "X-Auth-Token", "default_token": "admin"},
        "discovery": {"GET": "/", "min_version": "body.versions.0.min_version",
                      "max_version": "body.versions.0.max_version"},
        "scenarios": [{"name": "repro", "versions": "1.39-", "calls": [step]}],
    }
    path = tmp_path / "repro.yaml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False))
    fresh = {"A": refcloud_transport(tmp_path, "a2"),
             "B": refcloud_transport(tmp_path, "b2", ("status-code",))}
    diff_out = io.StringIO()
    # --noise off: a second run of a create call would meet the object the first made
    rc = main(["diff", "http://a", "http://b", "--profile", str(path), "--microversions",
               "1.39", "--quiet", "--format", "json", "--noise", "off"], transports=fresh,
              stdout=diff_out, stderr=io.StringIO())
    assert rc == 1
    assert '"kind": "status"' in diff_out.getvalue()


def test_one_cloud_clean_refcloud_has_no_findings(tmp_path: Path, fuzz_cli: Any) -> None:
    code, report, _out, err = fuzz_cli({"A": refcloud_transport(tmp_path, "a")},
                                       "--max-examples", "1", "--seed", "3",
                                       "--microversions", "1.39")
    assert report["causes"] == [], report["causes"]
    assert code == 0, err


def test_one_cloud_reports_answers_the_document_does_not_allow(tmp_path: Path,
                                                               fuzz_cli: Any) -> None:
    transports = {"A": refcloud_transport(tmp_path, "a", ("type-change", "status-code"))}
    code, report, _out, _err = fuzz_cli(transports, "--max-examples", "3", "--seed", "3",
                                        "--microversions", "1.39",
                                        "--operation", "/resource_providers",
                                        "--operation", "/resource_classes")
    assert code == 1
    rules = {(c["rule"], c["path"]) for c in report["causes"]}
    assert ("FUZZ002", "Response violates schema") in rules
    assert ("FUZZ002", "Undocumented status code") in rules


def test_one_cloud_reports_server_errors(tmp_path: Path, fuzz_cli: Any) -> None:
    inner = refcloud_transport(tmp_path, "a")

    def crashing(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and request.url.path.startswith("/traits/"):
            return httpx.Response(500, json={"errors": [{"status": 500, "title": "boom"}]})
        return inner.handle_request(request)

    code, report, _out, _err = fuzz_cli({"A": httpx.MockTransport(crashing)},
                                        "--max-examples", "2", "--microversions", "1.39",
                                        "--operation", "PUT /traits/*",
                                        "--phases", "positive")
    assert code == 1
    assert any(c["rule"] == "FUZZ001" and c["a"] == "500" for c in report["causes"])


def test_time_limit_stops_the_run_and_says_so(tmp_path: Path, fuzz_cli: Any) -> None:
    transports = {"A": refcloud_transport(tmp_path, "a"), "B": refcloud_transport(tmp_path, "b")}
    code, report, _out, _err = fuzz_cli(transports, "--max-examples", "50",
                                        "--time-limit", "2")
    assert report["stopped"].startswith("time limit")
    assert any("stopped early" in p["what"] for p in report["problems"])
    assert code == 2


@pytest.mark.parametrize("args, message", [
    (["--spec", "/nonexistent.yaml"], "--spec /nonexistent.yaml: cannot read it"),
    (["--phases", "positive,bogus"], "--phases: unknown phase 'bogus'"),
    (["--max-examples", "0"], "--max-examples must be 1 or more"),
])
def test_command_line_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["fuzz", "http://a", "--spec", str(SPEC), *args]
    rc = main(argv, transports={"A": refcloud_transport(tmp_path, "a")}, stdout=out, stderr=err)
    assert rc == 2
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and message in lines[0], lines


def test_unreachable_cloud_is_one_problem(tmp_path: Path, fuzz_cli: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    rc = main(["fuzz", "http://127.0.0.1:9", "--spec", str(SPEC), "--quiet"], stdout=out,
              stderr=err)
    assert rc == 2
    assert "cannot connect" in out.getvalue() and "Traceback" not in err.getvalue()


# ---- long runs ----------------------------------------------------------------------------


@pytest.mark.fuzz_full
def test_full_two_refclouds_at_least_200_calls_per_operation(tmp_path: Path,
                                                             fuzz_cli: Any) -> None:
    transports = {"A": refcloud_transport(tmp_path, "a"), "B": refcloud_transport(tmp_path, "b")}
    code, report, _out, err = fuzz_cli(transports, "--max-examples", "100", "--seed", "11",
                                       "--quiet")
    assert report["causes"] == [], report["causes"]
    assert code == 0, (err, report["problems"])
    counts = {(g["microversion"], g["operation"]): g["calls"] for g in report["generated"]}
    document = yaml.safe_load(SPEC.read_text())
    ends = [(v, op.label) for v in ("1.0", "1.39") for op in operations(document)
            if op.exists_at(parse(v))]
    assert len(ends) == 17 + 36
    # GET / takes no input: it has one distinct call.
    small = {k: counts.get(k, 0) for k in ends if counts.get(k, 0) < 200}
    assert small == {("1.0", "GET /"): 1, ("1.39", "GET /"): 1}


@pytest.mark.fuzz_full
@pytest.mark.parametrize("drift", sorted(DRIFTS))
def test_full_each_drift_mode_alone_is_found(tmp_path: Path, fuzz_cli: Any, drift: str) -> None:
    transports = {"A": refcloud_transport(tmp_path, "a"),
                  "B": refcloud_transport(tmp_path, "b", (drift,))}
    code, report, _out, _err = fuzz_cli(transports, "--max-examples", "5", "--seed", "5",
                                        "--quiet")
    assert drift in _found(report)
    # an extra security header is judged a deployment difference: reported, not failing
    assert code == (0 if drift == "extra-header" else 1)
